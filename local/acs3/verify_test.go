package acs3

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/local/sts"
	"smsflow/local/testkit"
)

// recorder is a server that verifies every request and keeps the verdicts.
type recorder struct {
	v        *Verifier
	mu       sync.Mutex
	failures []*Failure
	callers  []Caller
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c, f := rec.v.Verify(r, body, time.Now())
	rec.mu.Lock()
	rec.failures, rec.callers = append(rec.failures, f), append(rec.callers, c)
	rec.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if f != nil {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"errorCode":"refused"}`)
		return
	}
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (rec *recorder) last(t *testing.T) (Caller, *Failure) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.failures) == 0 {
		t.Fatal("no request reached the server")
	}
	return rec.callers[len(rec.callers)-1], rec.failures[len(rec.failures)-1]
}

func callAPI(t *testing.T, addr, id, secret, token string, body map[string]any) error {
	t.Helper()
	_, err := testkit.SignedPost(addr, "/v1/messages", testkit.Signer{ID: id, Secret: secret, Token: token}, body, nil)
	return err
}

// conformance: AUTH-01
func TestOfficialSDKSignatureVerifies(t *testing.T) {
	rec := &recorder{v: &Verifier{Signed: []string{"host"}}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	if err := callAPI(t, addr, sts.LocalAccessKeyID, sts.LocalAccessKeySecret, "", map[string]any{"a": "b c*~"}); err != nil {
		t.Fatalf("the local pair: %v", err)
	}
	if c, f := rec.last(t); f != nil || c.AccessKeyID != sts.LocalAccessKeyID || c.STS {
		t.Fatalf("caller %+v failure %v", c, f)
	}
	cred := sts.Issue(time.Hour)
	if err := callAPI(t, addr, cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken, map[string]any{"x": 1}); err != nil {
		t.Fatalf("an STS triple: %v", err)
	}
	if c, f := rec.last(t); f != nil || c.AccessKeyID != cred.AccessKeyID || !c.STS {
		t.Fatalf("caller %+v failure %v", c, f)
	}
	if err := callAPI(t, addr, sts.LocalAccessKeyID, "wrong-secret", "", nil); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	if _, f := rec.last(t); f == nil || f.Reason != ReasonSignature || !strings.HasPrefix(f.StringToSign, Algorithm+"\n") {
		t.Fatalf("wrong secret: %+v", f)
	}
	expired := sts.IssueAt(time.Now().Add(-2*time.Hour), time.Hour)
	_ = callAPI(t, addr, expired.AccessKeyID, expired.AccessKeySecret, expired.SecurityToken, nil)
	if _, f := rec.last(t); f == nil || f.Reason != ReasonCredentials || !errors.Is(f, sts.ErrTokenExpired) {
		t.Fatalf("expired token: %+v", f)
	}
}

// hand builds a signed request whose parts a test can then spoil.
func hand(t *testing.T, body string, date time.Time, nonce string, signed []string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://fc.example/v1/messages?b=2&a=1", strings.NewReader(body))
	r.Header.Set("x-acs-date", date.UTC().Format(TimestampLayout))
	if nonce != "" {
		r.Header.Set("x-acs-signature-nonce", nonce)
	}
	r.Header.Set("x-acs-content-sha256", HashHex([]byte(body)))
	req := Request{Method: r.Method, Path: "/v1/messages", Query: r.URL.Query(),
		Headers: signedHeaderValues(r, signed), SignedHeaders: signed, PayloadHash: HashHex([]byte(body))}
	r.Header.Set("Authorization", Algorithm+" Credential="+sts.LocalAccessKeyID+",SignedHeaders="+
		strings.Join(signed, ";")+",Signature="+req.Signature(sts.LocalAccessKeySecret))
	return r
}

func verify(v *Verifier, r *http.Request, body string, now time.Time) *Failure {
	_, f := v.Verify(r, []byte(body), now)
	return f
}

// conformance: AUTH-01, AUTH-04
func TestVerifierRefusesWhatAlibabaRefuses(t *testing.T) {
	now := time.Now()
	all := []string{"host", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce"}
	v := &Verifier{Signed: []string{"host"}}
	if f := verify(v, hand(t, "{}", now, "n1", all), "{}", now); f != nil {
		t.Fatalf("a good request: %v", f)
	}
	cases := []struct {
		name string
		r    *http.Request
		body string
		v    *Verifier
		want Reason
	}{
		{"body changed after signing", hand(t, "{}", now, "n2", all), `{"x":1}`, v, ReasonSignature},
		{"replayed nonce", hand(t, "{}", now, "n1", all), "{}", v, ReasonNonceUsed},
		{"date 16 minutes old", hand(t, "{}", now.Add(-16*time.Minute), "n3", all), "{}", v, ReasonDateExpired},
		{"host not signed", hand(t, "{}", now, "n4", []string{"x-acs-date", "x-acs-signature-nonce"}), "{}", v, ReasonIncomplete},
		{"nonce sent but not signed", hand(t, "{}", now, "n5", []string{"host", "x-acs-date"}), "{}", v, ReasonIncomplete},
		{"nonce required", hand(t, "{}", now, "", []string{"host", "x-acs-date"}), "{}", &Verifier{Signed: []string{"host"}, RequireNonce: true}, ReasonIncomplete},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if f := verify(c.v, c.r, c.body, now); f == nil || f.Reason != c.want {
				t.Fatalf("got %+v, want reason %d", f, c.want)
			}
		})
	}
	// Without a nonce, a verifier that does not require one accepts.
	if f := verify(&Verifier{}, hand(t, "{}", now, "", []string{"host", "x-acs-date"}), "{}", now); f != nil {
		t.Fatalf("no nonce, not required: %v", f)
	}
}

func TestVerifierRefusesOtherSchemes(t *testing.T) {
	v := &Verifier{}
	for _, h := range []string{"", "Bearer smsflow-local-token", "FC smsflow-local-id:abc", "acs3-hmac-sha256 Credential=x"} {
		r := httptest.NewRequest(http.MethodPost, "http://fc.example/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if f := verify(v, r, "", time.Now()); f == nil || f.Reason != ReasonNotACS3 {
			t.Errorf("Authorization %q: %+v, want ReasonNotACS3", h, f)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "http://fc.example/", nil)
	r.Header.Set("Authorization", "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00")
	if f := verify(v, r, "", time.Now()); f == nil || f.Reason != ReasonAlgorithm {
		t.Errorf("SM3: %+v", f)
	}
}
