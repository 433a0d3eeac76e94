package dysms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

const acs3Algorithm = "ACS3-HMAC-SHA256"

// percentEncode is Alibaba's RFC 3986 encoding: Go's query escaping, then
// %20 for space, %2A for '*', '~' left as is.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// canonicalQuery sorts the decoded parameters and re-encodes them. The wire
// query uses '+' for a space, so it must be decoded first, never reused.
func canonicalQuery(q url.Values) string {
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
			parts = append(parts, percentEncode(k)+"="+percentEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// acs3Request is what an ACS3 signature covers.
type acs3Request struct {
	Method        string
	Path          string
	Query         url.Values
	Headers       map[string]string // lower-case name -> value, as received
	SignedHeaders []string          // lower-case, in the client's order
	PayloadHash   string            // hex sha256 of the body
}

// canonical builds the canonical request. Signed headers are sorted and
// their values trimmed, whatever order the client listed them in.
func (r acs3Request) canonical() string {
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
	return r.Method + "\n" + path + "\n" + canonicalQuery(r.Query) + "\n" +
		hdr.String() + "\n" + strings.Join(names, ";") + "\n" + r.PayloadHash
}

func (r acs3Request) stringToSign() string {
	sum := sha256.Sum256([]byte(r.canonical()))
	return acs3Algorithm + "\n" + hex.EncodeToString(sum[:])
}

func (r acs3Request) signature(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(r.stringToSign()))
	return hex.EncodeToString(m.Sum(nil))
}

func hashHex(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// acs3Authorization is a parsed Authorization header:
// "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
type acs3Authorization struct {
	Algorithm     string
	AccessKeyID   string
	SignedHeaders []string
	Signature     string
}

func parseACS3Authorization(h string) (acs3Authorization, bool) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return acs3Authorization{}, false
	}
	a := acs3Authorization{Algorithm: alg}
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
