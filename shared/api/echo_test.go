package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/sms"
)

// A name the caller chose (an unknown field, a template parameter name) is
// echoed in refusals and logged with a send: when it holds a phone number,
// in any grouping phone.Normalize itself accepts, no digit of it survives.
func TestANameHoldingANumberIsNeverRepeated(t *testing.T) {
	const other = `"phone_numbers":["13900139000"],"sign_name":"s","template_code":"SMS_1"`
	cases := []struct{ body, number string }{
		{`{` + other + `,"138-0013-8000":1}`, "138-0013-8000"},
		{`{` + other + `,"138 0013 8000":1}`, "138 0013 8000"},
		{`{` + other + `,"+86 138 0013 8000":1}`, "138 0013 8000"},
		{`{` + other + `,"13800138000":1}`, "13800138000"},
		{`{` + other + `,"template_params":{"p13800138000":""}}`, "13800138000"},
		{`{` + other + `,"template_params":{"p13800138000":"a\u202eb"}}`, "13800138000"},
		{`{` + other + `,"template_params":{"p13800138000":"482913"}}`, "13800138000"}, // accepted: template_param_keys
		{`{` + other + `,"template_params":{"p1380013_8000":"482913"}}`, "8000"},
	}
	for _, c := range cases {
		var logs bytes.Buffer
		s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
		w := post(newTestHandler(t, s, &logs), "application/json", c.body)
		for where, text := range map[string]string{"answer": w.Body.String(), "logs": logs.String()} {
			if strings.Contains(text, c.number) {
				t.Errorf("%s (status %d): the %s repeats %q:\n%s", c.body, w.Code, where, c.number, text)
			}
		}
		if strings.Contains(logs.String(), "482913") {
			t.Errorf("%s: a template value was logged", c.body)
		}
	}
}

// A short name keeps its digits: "code2" is no number, and an operator
// reads which parameter was refused.
func TestAShortNameIsEchoedAsItIs(t *testing.T) {
	w := post(newTestHandler(t, &recordingSender{}, nil), "application/json",
		`{"phone_numbers":["13900139000"],"sign_name":"s","template_code":"SMS_1","template_params":{"code2":""}}`)
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"template_params.code2"`) {
		t.Errorf("status %d, answer %s: want the field named template_params.code2", w.Code, w.Body)
	}
}

// A path the API does not serve is refused without repeating it: a number
// or a bidi override in it would come back in the answer.
func TestAnUnknownPathIsNotRepeated(t *testing.T) {
	h := newTestHandler(t, &recordingSender{}, nil)
	for path, secret := range map[string]string{
		"/v1/messages/13800138000": "13800138000",
		"/v1/messages/%E2%80%AEx":  "\u202e",
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, nil))
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), CodeNotFound) {
			t.Fatalf("%s: %d %s, want 404 %s", path, w.Code, w.Body, CodeNotFound)
		}
		if strings.Contains(w.Body.String(), secret) || strings.Contains(w.Body.String(), "%E2%80%AE") {
			t.Errorf("%s: the answer repeats the path: %s", path, w.Body)
		}
	}
}
