package acs3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// Algorithm is the only signature algorithm the verifier accepts.
const Algorithm = "ACS3-HMAC-SHA256"

// PercentEncode is Alibaba's RFC 3986 encoding: Go's query escaping, then
// %20 for space, %2A for '*', '~' left as is.
func PercentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// CanonicalQuery sorts the decoded parameters and re-encodes them. The wire
// query uses '+' for a space, so it must be decoded first, never reused.
func CanonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, PercentEncode(k)+"="+PercentEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// Request is what an ACS3 signature covers.
type Request struct {
	Method        string
	Path          string
	Query         url.Values
	Headers       map[string]string // lower-case name -> value, as received
	SignedHeaders []string          // lower-case, in the client's order
	PayloadHash   string            // hex sha256 of the body
}

// Canonical builds the canonical request. Signed headers are sorted and
// their values trimmed, whatever order the client listed them in.
func (r Request) Canonical() string {
	names := append([]string(nil), r.SignedHeaders...)
	sort.Strings(names)
	var hdr strings.Builder
	for _, n := range names {
		hdr.WriteString(n + ":" + strings.TrimSpace(r.Headers[n]) + "\n")
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	return r.Method + "\n" + path + "\n" + CanonicalQuery(r.Query) + "\n" +
		hdr.String() + "\n" + strings.Join(names, ";") + "\n" + r.PayloadHash
}

// StringToSign is the algorithm name and the canonical request's hash.
func (r Request) StringToSign() string {
	return Algorithm + "\n" + HashHex([]byte(r.Canonical()))
}

// Signature is hex(HMAC-SHA256(secret, string to sign)).
func (r Request) Signature(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(r.StringToSign()))
	return hex.EncodeToString(m.Sum(nil))
}

// HashHex is the hex SHA-256 of b (the payload hash of an empty body too).
func HashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Authorization is a parsed Authorization header:
// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
type Authorization struct {
	Algorithm     string
	AccessKeyID   string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization reads an ACS3 Authorization header; ok is false when
// the credential, the signed headers or the signature is missing.
func ParseAuthorization(h string) (Authorization, bool) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return Authorization{}, false
	}
	a := Authorization{Algorithm: alg}
	for _, field := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch k {
		case "Credential":
			a.AccessKeyID = v
		case "SignedHeaders":
			for _, n := range strings.Split(v, ";") {
				if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
					a.SignedHeaders = append(a.SignedHeaders, n)
				}
			}
		case "Signature":
			a.Signature = v
		}
	}
	if a.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
		return a, false
	}
	return a, true
}

// IsACS3 reports whether an Authorization header claims the ACS3 scheme
// (any ACS3-* algorithm): what a caller of a signed trigger must send.
func IsACS3(authorization string) bool {
	return strings.HasPrefix(strings.TrimLeft(authorization, " \t"), "ACS3-")
}
