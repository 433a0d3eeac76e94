package dysms

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"smsflow/local/sts"
)

// maxSkew is Alibaba's tolerance between the client's timestamp and the
// server's clock, in either direction.
const maxSkew = 15 * time.Minute

const timestampLayout = "2006-01-02T15:04:05Z"

// authenticate verifies the request's signature (ACS3-HMAC-SHA256 in the
// Authorization header, or the classic RPC HMAC-SHA1 Signature parameter),
// its credentials against the local STS, its timestamp and its nonce, and
// answers the caller's access key id.
func (s *Server) authenticate(r *http.Request, body []byte, params url.Values, now time.Time) (string, *gatewayError) {
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "ACS3-") {
		return s.authenticateACS3(r, auth, body, now)
	}
	if params.Has("Signature") {
		return s.authenticateRPC(r.Method, params, now)
	}
	return "", errMissing("Signature")
}

func (s *Server) authenticateACS3(r *http.Request, header string, body []byte, now time.Time) (string, *gatewayError) {
	a, ok := parseACS3Authorization(header)
	if !ok {
		return "", errIncompleteSig
	}
	if a.Algorithm != acs3Algorithm {
		return "", errSignatureMethod
	}
	// Headers that make replay protection and STS meaningful must be signed.
	required := []string{"host", "x-acs-date", "x-acs-signature-nonce"}
	if r.Header.Get("x-acs-security-token") != "" {
		required = append(required, "x-acs-security-token")
	}
	for _, h := range required {
		if !slices.Contains(a.SignedHeaders, h) {
			return "", errIncompleteSig
		}
	}
	if gw := checkTimestamp(r.Header.Get("x-acs-date"), "x-acs-date", now); gw != nil {
		return "", gw
	}
	nonce := r.Header.Get("x-acs-signature-nonce")
	if nonce == "" {
		return "", errMissing("SignatureNonce")
	}
	token := r.Header.Get("x-acs-security-token")
	if id := r.Header.Get("x-acs-accesskey-id"); id != "" && id != a.AccessKeyID {
		return "", errTokenMismatch
	}
	secret, gw := checkCredentials(a.AccessKeyID, token, now)
	if gw != nil {
		return "", gw
	}
	req := acs3Request{
		Method:        r.Method,
		Path:          r.URL.EscapedPath(),
		Query:         r.URL.Query(),
		Headers:       map[string]string{},
		SignedHeaders: a.SignedHeaders,
		PayloadHash:   hashHex(body),
	}
	for _, name := range a.SignedHeaders {
		if name == "host" {
			req.Headers[name] = r.Host
			continue
		}
		vals := append([]string(nil), r.Header.Values(name)...)
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
		sort.Strings(vals)
		req.Headers[name] = strings.Join(vals, ",")
	}
	if !hmac.Equal([]byte(req.signature(secret)), []byte(strings.ToLower(a.Signature))) {
		return "", errSignature(req.stringToSign())
	}
	if !s.nonces.use(a.AccessKeyID, nonce, now) {
		return "", errNonceUsed
	}
	return a.AccessKeyID, nil
}

func (s *Server) authenticateRPC(method string, params url.Values, now time.Time) (string, *gatewayError) {
	ak := params.Get("AccessKeyId")
	if ak == "" {
		return "", errMissing("AccessKeyId")
	}
	switch m := params.Get("SignatureMethod"); m {
	case "":
		return "", errMissing("SignatureMethod")
	case "HMAC-SHA1":
	default:
		return "", errSignatureMethod
	}
	if v := params.Get("SignatureVersion"); v != "" && v != "1.0" {
		return "", errInvalidParam("SignatureVersion")
	}
	if gw := checkTimestamp(params.Get("Timestamp"), "Timestamp", now); gw != nil {
		return "", gw
	}
	nonce := params.Get("SignatureNonce")
	if nonce == "" {
		return "", errMissing("SignatureNonce")
	}
	secret, gw := checkCredentials(ak, params.Get("SecurityToken"), now)
	if gw != nil {
		return "", gw
	}
	toSign := rpcStringToSign(method, params)
	if !hmac.Equal([]byte(rpcSignature(secret, toSign)), []byte(params.Get("Signature"))) {
		return "", errSignature(toSign)
	}
	if !s.nonces.use(ak, nonce, now) {
		return "", errNonceUsed
	}
	return ak, nil
}

func checkTimestamp(value, name string, now time.Time) *gatewayError {
	if value == "" {
		return errMissing(name)
	}
	t, err := time.Parse(timestampLayout, value)
	if err != nil {
		return errTimestampFormat
	}
	if d := now.Sub(t); d > maxSkew || d < -maxSkew {
		return errTimestampExpired
	}
	return nil
}

// checkCredentials maps the local STS verdict onto Alibaba's codes.
func checkCredentials(accessKeyID, token string, now time.Time) (string, *gatewayError) {
	secret, err := sts.SecretFor(accessKeyID)
	if err != nil {
		return "", errAccessKeyNotFound
	}
	switch err := sts.Verify(accessKeyID, token, now); {
	case err == nil:
		return secret, nil
	case errors.Is(err, sts.ErrUnknownAccessKey):
		return "", errAccessKeyNotFound
	case errors.Is(err, sts.ErrTokenExpired):
		return "", errTokenExpired
	case errors.Is(err, sts.ErrTokenMismatch):
		return "", errTokenMismatch
	case errors.Is(err, sts.ErrTokenRequired):
		return "", errTokenMissing
	default:
		return "", errTokenMalformed
	}
}
