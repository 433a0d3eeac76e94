package acs3

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"smsflow/local/sts"
)

// MaxSkew is Alibaba's tolerance between the client's timestamp and the
// server's clock, in either direction.
const MaxSkew = 15 * time.Minute

// TimestampLayout is the form of x-acs-date (and of the RPC Timestamp).
const TimestampLayout = "2006-01-02T15:04:05Z"

// Reason says why a request was refused; each emulator maps it onto its own
// service's error code and status.
type Reason int

// Reasons, in the order the verifier checks them.
const (
	ReasonNotACS3     Reason = iota + 1 // no Authorization, or not the ACS3 scheme
	ReasonIncomplete                    // malformed header, or a header that must be signed is not
	ReasonAlgorithm                     // ACS3-* but not ACS3-HMAC-SHA256
	ReasonMissing                       // a required header (Param) is absent
	ReasonDateFormat                    // x-acs-date is not yyyy-MM-ddTHH:mm:ssZ
	ReasonDateExpired                   // x-acs-date is more than MaxSkew away
	ReasonKeyMismatch                   // x-acs-accesskey-id is not the Credential
	ReasonCredentials                   // the access key or its STS token is refused (Err says how)
	ReasonSignature                     // the signature does not match (StringToSign is ours)
	ReasonNonceUsed                     // the nonce was seen within the window
)

// Failure is a refused request.
type Failure struct {
	Reason       Reason
	Param        string // the header a ReasonMissing is about
	StringToSign string // the server's, for ReasonSignature
	Err          error  // the sts error, for ReasonCredentials
}

func (f *Failure) Error() string {
	switch f.Reason {
	case ReasonMissing:
		return "acs3: missing " + f.Param
	case ReasonCredentials:
		return "acs3: credentials: " + f.Err.Error()
	}
	return fmt.Sprintf("acs3: refused (reason %d)", f.Reason)
}

func (f *Failure) Unwrap() error { return f.Err }

// Verifier checks ACS3-HMAC-SHA256 requests against the local STS.
type Verifier struct {
	// Signed lists headers the client must sign besides x-acs-date (and
	// x-acs-security-token whenever one is sent), e.g. host.
	Signed []string
	// RequireNonce refuses a request without x-acs-signature-nonce. A nonce
	// that is sent is checked for replay either way.
	RequireNonce bool
	// Nonces remembers nonces; nil: a fresh memory on first use.
	Nonces *Nonces
}

// Caller is who signed a verified request.
type Caller struct {
	AccessKeyID string
	STS         bool // signed with a temporary (STS) credential
}

// Verify checks r's Authorization header, timestamp, credentials,
// signature and nonce, in that order; body is the request body as read.
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time) (Caller, *Failure) {
	header := r.Header.Get("Authorization")
	if !IsACS3(header) {
		return Caller{}, &Failure{Reason: ReasonNotACS3}
	}
	a, ok := ParseAuthorization(header)
	if !ok {
		return Caller{}, &Failure{Reason: ReasonIncomplete}
	}
	if a.Algorithm != Algorithm {
		return Caller{}, &Failure{Reason: ReasonAlgorithm}
	}
	token := r.Header.Get("x-acs-security-token")
	nonce := r.Header.Get("x-acs-signature-nonce")
	// Headers that make replay protection and STS meaningful must be signed.
	required := append([]string{"x-acs-date"}, v.Signed...)
	if token != "" {
		required = append(required, "x-acs-security-token")
	}
	if nonce != "" || v.RequireNonce {
		required = append(required, "x-acs-signature-nonce")
	}
	for _, h := range required {
		if !slices.Contains(a.SignedHeaders, h) {
			return Caller{}, &Failure{Reason: ReasonIncomplete}
		}
	}
	if f := CheckTimestamp(r.Header.Get("x-acs-date"), "x-acs-date", now); f != nil {
		return Caller{}, f
	}
	if nonce == "" && v.RequireNonce {
		return Caller{}, &Failure{Reason: ReasonMissing, Param: "x-acs-signature-nonce"}
	}
	if id := r.Header.Get("x-acs-accesskey-id"); id != "" && id != a.AccessKeyID {
		return Caller{}, &Failure{Reason: ReasonKeyMismatch}
	}
	secret, err := Credentials(a.AccessKeyID, token, now)
	if err != nil {
		return Caller{}, &Failure{Reason: ReasonCredentials, Err: err}
	}
	req := Request{
		Method:        r.Method,
		Path:          r.URL.EscapedPath(),
		Query:         r.URL.Query(),
		Headers:       signedHeaderValues(r, a.SignedHeaders),
		SignedHeaders: a.SignedHeaders,
		PayloadHash:   HashHex(body),
	}
	if !hmac.Equal([]byte(req.Signature(secret)), []byte(strings.ToLower(a.Signature))) {
		return Caller{}, &Failure{Reason: ReasonSignature, StringToSign: req.StringToSign()}
	}
	if nonce != "" {
		if v.Nonces == nil {
			v.Nonces = NewNonces()
		}
		if !v.Nonces.Use(a.AccessKeyID, nonce, now) {
			return Caller{}, &Failure{Reason: ReasonNonceUsed}
		}
	}
	return Caller{AccessKeyID: a.AccessKeyID, STS: token != ""}, nil
}

// signedHeaderValues collects the signed headers as the client sent them:
// host from the request line, repeated values trimmed, sorted and joined.
func signedHeaderValues(r *http.Request, names []string) map[string]string {
	out := make(map[string]string, len(names))
	for _, name := range names {
		if name == "host" {
			out[name] = r.Host
			continue
		}
		vals := append([]string(nil), r.Header.Values(name)...)
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
		sort.Strings(vals)
		out[name] = strings.Join(vals, ",")
	}
	return out
}

// CheckTimestamp checks a request timestamp (x-acs-date, or the RPC
// Timestamp parameter named param) against now and MaxSkew.
func CheckTimestamp(value, param string, now time.Time) *Failure {
	if value == "" {
		return &Failure{Reason: ReasonMissing, Param: param}
	}
	t, err := time.Parse(TimestampLayout, value)
	if err != nil {
		return &Failure{Reason: ReasonDateFormat, Param: param}
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return &Failure{Reason: ReasonDateExpired, Param: param}
	}
	return nil
}

// Credentials answers the secret of an access key the local stack knows
// (the local pair, or an STS key id with its valid token), or the local
// STS's error (sts.ErrUnknownAccessKey, sts.ErrTokenExpired, ...).
func Credentials(accessKeyID, token string, now time.Time) (string, error) {
	secret, err := sts.SecretFor(accessKeyID)
	if err != nil {
		return "", err
	}
	if err := sts.Verify(accessKeyID, token, now); err != nil {
		return "", err
	}
	return secret, nil
}
