package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/sms"
)

// Authorization and Content-Type are singleton fields: a request with two
// of either is refused, whichever comes first, and nothing is sent.
func TestTwoOfAHeaderThatMayAppearOnceAreRefused(t *testing.T) {
	cases := []struct {
		name   string
		values map[string][]string
		status int
		code   string
	}{
		{"a good token, then a bad one", map[string][]string{"Authorization": {"Bearer " + testToken, "Bearer nope"}}, 401, CodeUnauthenticated},
		{"a bad token, then a good one", map[string][]string{"Authorization": {"Bearer nope", "Bearer " + testToken}}, 401, CodeUnauthenticated},
		{"two content types", map[string][]string{"Authorization": {"Bearer " + testToken}, "Content-Type": {"application/json", "text/plain"}}, 415, CodeUnsupportedMedia},
	}
	for _, c := range cases {
		s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(
			`{"phone_numbers":["13800138000"],"sign_name":"s","template_code":"SMS_1"}`))
		r.Header.Set("Content-Type", "application/json")
		for k, vs := range c.values {
			r.Header[k] = vs
		}
		w := httptest.NewRecorder()
		newTestHandler(t, s, nil).ServeHTTP(w, r)
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.code) || s.calls.Load() != 0 {
			t.Errorf("%s: %d %s, sent %d; want %d %s and nothing sent", c.name, w.Code, w.Body, s.calls.Load(), c.status, c.code)
		}
	}
}
