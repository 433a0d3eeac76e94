package dysms

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"

	"smsflow/local/acs3"
)

// rpcStringToSign is the classic RPC (signature version 1.0) string:
// METHOD&%2F&percentEncode(canonical query), where the canonical query is
// every parameter but Signature, sorted and percent-encoded.
func rpcStringToSign(method string, params url.Values) string {
	signed := url.Values{}
	for k, v := range params {
		if k != "Signature" {
			signed[k] = v
		}
	}
	return method + "&" + acs3.PercentEncode("/") + "&" + acs3.PercentEncode(acs3.CanonicalQuery(signed))
}

// rpcSignature is base64(HMAC-SHA1(secret + "&", string to sign)).
func rpcSignature(secret, stringToSign string) string {
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
