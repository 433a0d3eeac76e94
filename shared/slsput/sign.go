package slsput

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// signV1 sets Content-MD5 and Authorization on h for a request to
// path?query with body, by SLS's signature v1 (HMAC-SHA1; platform-facts,
// "Signature v1"; the SDK's signature.go; conformance SLS-14):
//
//	METHOD \n Content-MD5 \n Content-Type \n Date \n
//	x-log-*/x-acs-* headers, lower-case, sorted, "k:v" joined by \n \n
//	path [? sorted k=v of the decoded query]
func signV1(h http.Header, method, path string, query url.Values, body []byte, keyID, secret string) {
	var md5hex string
	if body != nil {
		sum := md5.Sum(body)
		md5hex = strings.ToUpper(hex.EncodeToString(sum[:]))
		h.Set("Content-MD5", md5hex)
	}
	var signed []string
	for k, vs := range h {
		l := strings.ToLower(k)
		if strings.HasPrefix(l, "x-log-") || strings.HasPrefix(l, "x-acs-") {
			signed = append(signed, l+":"+strings.TrimSpace(vs[0]))
		}
	}
	slices.Sort(signed)
	var b strings.Builder
	b.WriteString(method + "\n" + md5hex + "\n" + h.Get("Content-Type") + "\n" + h.Get("Date") + "\n")
	b.WriteString(strings.Join(signed, "\n"))
	b.WriteString("\n" + path)
	if len(query) > 0 {
		keys := make([]string, 0, len(query))
		for k := range query {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(k + "=" + query.Get(k))
		}
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(b.String()))
	h.Set("Authorization", "LOG "+keyID+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}
