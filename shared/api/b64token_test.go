package api

import (
	"regexp"
	"testing"
)

// rfc6750 is RFC 6750's b64token as a regexp: the reference isB64token is
// held to (the regexp itself is too slow for every request).
var rfc6750 = regexp.MustCompile(`^[A-Za-z0-9._~+/-]+=*$`)

func FuzzIsB64tokenMatchesRFC6750(f *testing.F) {
	for _, s := range []string{"", "=", "==", "abc", "a.b-c_d~e+f/g==", "x=", "a=b", "a b", "tök", "a\x00", "a==b=", "\u00a0abc", "abc\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isB64token(s), rfc6750.MatchString(s); got != want {
			t.Fatalf("isB64token(%q) = %v, RFC 6750 says %v", s, got, want)
		}
	})
}
