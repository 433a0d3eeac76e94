package tencent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const algorithm = "TC3-HMAC-SHA256"

// authorization is a parsed TC3 Authorization header:
// TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=a;b, Signature=<hex>
type authorization struct {
	secretID, date, service string
	signedHeaders           []string
	signature               string
}

func parseAuthorization(h string) (authorization, bool) {
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return authorization{}, false
	}
	var a authorization
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authorization{}, false
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 4 || f[3] != "tc3_request" {
				return authorization{}, false
			}
			a.secretID, a.date, a.service = f[0], f[1], f[2]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.secretID == "" || a.signature == "" || len(a.signedHeaders) == 0 {
		return authorization{}, false
	}
	return a, true
}

// canonicalRequest is step 1 of TC3 signing for a request without a query
// string (POST JSON): the signed headers' lower-case names and trimmed
// values, in the order the client listed them (it must list them sorted).
func canonicalRequest(r *http.Request, signedHeaders []string, body []byte) string {
	var lines strings.Builder
	for _, name := range signedHeaders {
		v := r.Header.Get(name)
		if strings.EqualFold(name, "host") {
			v = r.Host
		}
		fmt.Fprintf(&lines, "%s:%s\n", strings.ToLower(name), strings.ToLower(strings.TrimSpace(v)))
	}
	sum := sha256.Sum256(body)
	return strings.Join([]string{r.Method, "/", r.URL.RawQuery, lines.String(), strings.Join(signedHeaders, ";"), hex.EncodeToString(sum[:])}, "\n")
}

// signature is steps 2 and 3: the string to sign over the canonical
// request, and the HMAC chain "TC3"+key → date → service → "tc3_request".
func signature(secretKey, service string, timestamp int64, canonical string) string {
	date := time.Unix(timestamp, 0).UTC().Format("2006-01-02")
	sum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{algorithm, strconv.FormatInt(timestamp, 10),
		date + "/" + service + "/tc3_request", hex.EncodeToString(sum[:])}, "\n")
	k := hmacSHA256([]byte("TC3"+secretKey), date)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "tc3_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
