package sls

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"smsflow/local/sts"
)

// maxClockSkew is how far the Date header may drift (SLS: 15 minutes,
// 400 RequestTimeExpired).
const maxClockSkew = 15 * time.Minute

// verifyRequest checks signature v1 ("LOG <ak>:<sig>"), the STS token and
// the body's Content-MD5, in that order.
func (s *Server) verifyRequest(r *http.Request, body []byte) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return newAPIError(http.StatusUnauthorized, codeUnauthorized, "Authorization does not exist in http header")
	}
	if !strings.HasPrefix(auth, "LOG ") {
		return newAPIError(http.StatusUnauthorized, codeUnauthorized,
			"the local SLS emulator verifies signature v1 (\"LOG ak:signature\") only")
	}
	ak, signature, ok := strings.Cut(strings.TrimPrefix(auth, "LOG "), ":")
	if !ok || ak == "" {
		return newAPIError(http.StatusUnauthorized, codeUnauthorized, "Authorization header is malformed")
	}
	if e := s.checkDate(r.Header.Get("Date")); e != nil {
		return e
	}
	secret, err := sts.SecretFor(ak)
	if err != nil {
		return newAPIError(http.StatusUnauthorized, codeUnauthorized, "AccessKeyId not found: %s", ak)
	}
	if err := sts.Verify(ak, r.Header.Get("x-acs-security-token"), s.now()); err != nil {
		if errors.Is(err, sts.ErrTokenExpired) {
			return newAPIError(http.StatusUnauthorized, codeUnauthorized, "The security token you provided has expired")
		}
		return newAPIError(http.StatusUnauthorized, codeUnauthorized, "The security token you provided is invalid")
	}
	expected := signV1(secret, stringToSign(r))
	if !hmac.Equal([]byte(expected), []byte(signature)) {
		return newAPIError(http.StatusUnauthorized, codeSignatureNotMatch,
			"signature %s not match", signature)
	}
	return checkContentMD5(r.Header.Get("Content-MD5"), body)
}

func (s *Server) checkDate(date string) *apiError {
	if date == "" {
		return newAPIError(http.StatusBadRequest, codeMissingDate, "Date does not exist in http header")
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return newAPIError(http.StatusBadRequest, codeInvalidDateFormat, "Date %s must follow RFC822", date)
	}
	if d := s.now().Sub(t); d > maxClockSkew || d < -maxClockSkew {
		return newAPIError(http.StatusBadRequest, codeRequestTimeExpired,
			"Request time %s has been expired while server time is %s", date, s.now().UTC().Format(http.TimeFormat))
	}
	return nil
}

// checkContentMD5 verifies the upper-case hex MD5 the SDK sends with a body.
func checkContentMD5(header string, body []byte) *apiError {
	if len(body) == 0 && header == "" {
		return nil
	}
	want := fmt.Sprintf("%X", md5.Sum(body))
	if !strings.EqualFold(header, want) {
		return newAPIError(http.StatusBadRequest, codeInvalidContentMD5,
			"Content-MD5 %q does not match the body's MD5 %s", header, want)
	}
	return nil
}

// stringToSign rebuilds what SignerV1 signs: method, Content-MD5,
// Content-Type, Date, the sorted x-log-/x-acs- headers and the resource
// (escaped path, then "?" and the sorted decoded query).
func stringToSign(r *http.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n")
	b.WriteString(r.Header.Get("Content-MD5") + "\n")
	b.WriteString(r.Header.Get("Content-Type") + "\n")
	b.WriteString(r.Header.Get("Date") + "\n")
	var names []string
	values := map[string]string{}
	for k, v := range r.Header {
		l := strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(l, "x-log-") || strings.HasPrefix(l, "x-acs-") {
			names = append(names, l)
			values[l] = strings.TrimSpace(v[0])
		}
	}
	sort.Strings(names)
	for i, k := range names {
		b.WriteString(k + ":" + values[k])
		if i+1 < len(names) {
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(r.URL.EscapedPath())
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("?")
		for i, k := range keys {
			if i > 0 {
				b.WriteString("&")
			}
			for _, v := range q[k] {
				b.WriteString(k + "=" + v)
			}
		}
	}
	return b.String()
}

func signV1(secret, toSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
