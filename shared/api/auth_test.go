package api

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

func sendWith(h http.Handler, authorization string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(noticeBody))
	r.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Issue 10.1: even a Handler built with the empty string's hash (config
// refuses it at start) never lets an empty or blank token in, and only SP
// and HTAB are trimmed: a no-break space is part of the token.
func TestEmptyAndBlankTokensNeverAuthenticate(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	h := New(Options{Sender: s, Auth: config.HTTPAuth{TriggerAuth: "anonymous",
		TokenSHA256: []string{tokenHash(""), tokenHash("\u00a0"), tokenHash(testToken)}}})
	for _, header := range []string{"Bearer ", "Bearer  ", "Bearer \t", "Bearer\t", "Bearer \u00a0", "Bearer " + testToken + "\u00a0", "Bearer \u2003" + testToken} {
		if w := sendWith(h, header); w.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d %s", header, w.Code, w.Body)
		}
	}
	if s.calls.Load() != 0 {
		t.Fatalf("%d sends by blank or padded tokens", s.calls.Load())
	}
	for _, header := range []string{"Bearer " + testToken, "bearer " + testToken, " Bearer \t" + testToken + " \t"} {
		if w := sendWith(h, header); w.Code != http.StatusOK {
			t.Errorf("Authorization %q: %d %s", header, w.Code, w.Body)
		}
	}
}

// Issue 10.3: two callers using the same Idempotency-Key never see each
// other's answer, nor are refused because of the other's use.
func TestCallersHaveTheirOwnIdempotencyKeys(t *testing.T) {
	s := &scriptedSender{outcomes: []sms.Outcome{accepted("A1"), accepted("B1"), accepted("X")}}
	h := idemHandler(t, s, memStore(), nil)
	h.auth = newAuthenticator(config.HTTPAuth{TriggerAuth: "anonymous", TokenSHA256: []string{tokenHash("token-a"), tokenHash("token-b")}})
	a := sendWith(h, "Bearer token-a", "Idempotency-Key", "order-1")
	b := sendWith(h, "Bearer token-b", "Idempotency-Key", "order-1")
	if a.Code != 200 || b.Code != 200 || b.Header().Get(HeaderReplayed) != "" || !strings.Contains(b.Body.String(), `"B1"`) {
		t.Fatalf("a: %d %s; b: %d %s %v", a.Code, a.Body, b.Code, b.Body, b.Header())
	}
	// Same key, different payload by B: B's own key, so no 422 from A's use.
	b2 := sendWith(h, "Bearer token-b", "Idempotency-Key", "order-1")
	if b2.Header().Get(HeaderReplayed) != "true" || !strings.Contains(b2.Body.String(), `"B1"`) {
		t.Fatalf("b again: %d %s", b2.Code, b2.Body)
	}
	if s.calls.Load() != 2 {
		t.Fatalf("sender called %d times, want 2", s.calls.Load())
	}
}

// The scope is the whole hash: two tokens whose hashes share the prefix
// that names them in events would otherwise share a key space (config
// refuses such a pair at start, too).
func TestTokenScopesAreTheWholeHash(t *testing.T) {
	h1 := tokenHash("x")
	raw, _ := hex.DecodeString(h1)
	raw[31] ^= 1
	a := newAuthenticator(config.HTTPAuth{TokenSHA256: []string{h1, hex.EncodeToString(raw)}})
	if len(a.tokens) != 2 || a.tokens[0].who.name != a.tokens[1].who.name || a.tokens[0].who.scope == a.tokens[1].who.scope {
		t.Fatalf("callers %+v", a.tokens)
	}
}

// Issue 9 part 4: behind authType: function FC has refused everything but
// a valid ACS3 signature, so a bearer header means the request came another
// way and is refused; a request with no Authorization at all is served but
// warned about (FC may strip the header: AUTH-05), once per interval.
// conformance: AUTH-05, AUTH-07
func TestFunctionModeRefusesBearerAndWarnsWithoutSignature(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	var logs bytes.Buffer
	h := New(Options{Sender: s, Auth: config.HTTPAuth{TriggerAuth: "function", TokenSHA256: []string{tokenHash(testToken)}},
		Logger: obs.NewLogger(obs.NewShipper(config.Logs{}, "send", creds.NewSource(true), &logs)), Hasher: phone.NewHasher([]byte("k"))})
	if !strings.Contains(logs.String(), "bearer tokens are refused in this mode") {
		t.Error("no warning at start that the configured tokens are useless in function mode")
	}
	if w := sendWith(h, "Bearer "+testToken); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "ACS3-HMAC-SHA256") {
		t.Fatalf("bearer in function mode: %d %s", w.Code, w.Body)
	}
	// A trigger's ACS3 signature, and a signed custom domain's (AUTH-07).
	for _, signed := range []string{"ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host;x-acs-date,Signature=00", "acs LTAI5t:c2lnbmF0dXJl", "ACS3-HMAC-SHA256 Credential=LTAI5t,SignedHeaders=host,Signature=01"} {
		if w := sendWith(h, signed); w.Code != 200 {
			t.Fatalf("signed %q: %d %s", signed, w.Code, w.Body)
		}
	}
	if strings.Contains(logs.String(), "without an Alibaba Cloud signature") {
		t.Fatal("warned about a signed request")
	}
	for range 3 {
		if w := sendWith(h, ""); w.Code != 200 {
			t.Fatalf("unsigned: %d %s", w.Code, w.Body)
		}
	}
	if n := strings.Count(logs.String(), "without an Alibaba Cloud signature"); n != 1 {
		t.Fatalf("%d warnings for 3 unsigned requests, want 1 per minute", n)
	}
	callers := map[any]int{}
	for _, e := range parseLogs(t, &logs) {
		if e["event"] == "sms.result" {
			callers[e["caller"]]++
		}
	}
	if callers["fc-signed"] != 6 || s.calls.Load() != 6 {
		t.Fatalf("callers %v, sends %d", callers, s.calls.Load())
	}
}
