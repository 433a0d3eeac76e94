package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"smsflow/shared/sms"
)

// A key given twice is read differently by different decoders (encoding/json
// keeps the last, and merges two objects): the request is refused, the
// answer names the field, and nothing is sent.
func TestARepeatedKeyIsRefusedAndNothingIsSent(t *testing.T) {
	const base = `"phone_numbers":["13800138000"],"template_code":"SMS_1"`
	cases := []struct{ body, field string }{
		{`{"phone_numbers":["13900139000"],"sign_name":"s",` + base + `}`, "phone_numbers"},
		{`{"sign_name":"a","sign_name":"b",` + base + `}`, "sign_name"},
		{`{"sign_name":"s",` + base + `,"template_params":{"code":"1"},"template_params":{"x":"2"}}`, "template_params"},
		{`{"sign_name":"s",` + base + `,"template_params":{"code":"111111","code":"222222"}}`, "template_params.code"},
		// An escape spells the same name: still the same key.
		{`{"sign_name":"s",` + base + `,"sign\u005fname":"t"}`, "sign_name"},
		{`{"sign_name":"s",` + base + `,"template_params":{"code":"1","\u0063ode":"2"}}`, "template_params.code"},
	}
	for _, c := range cases {
		var logs bytes.Buffer
		s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
		w := post(newTestHandler(t, s, &logs), "application/json", c.body)
		var got struct{ Error Error }
		_ = json.Unmarshal(w.Body.Bytes(), &got)
		if w.Code != 400 || got.Error.Code != CodeRepeatedField || got.Error.Field != c.field || s.calls.Load() != 0 {
			t.Errorf("%s\n  -> %d %+v, sent %d time(s); want 400 %s naming %s, nothing sent", c.body, w.Code, got.Error, s.calls.Load(), CodeRepeatedField, c.field)
		}
		for _, v := range []string{"111111", "222222"} {
			if strings.Contains(w.Body.String()+logs.String(), v) {
				t.Errorf("%s: a template value reached the answer or the logs", c.body)
			}
		}
	}
}

// A queued message is read the same way: its envelope (idempotency_key,
// traceparent) is taken out by decoding into a map, which must not get
// the chance to drop one of two keys first.
func TestARepeatedKeyInAMessageIsPoisonAndNothingIsSent(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	h := newTestHandler(t, s, nil)
	for i, body := range []string{
		strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-1","idempotency_key":"order-2",`, 1),
		strings.Replace(noticeBody, `{`, `{"idempotency_key":"order-3","sign_name":"other",`, 1),
	} {
		d := h.Deliver(context.Background(), Message{Body: []byte(body), ID: "m" + string(rune('1'+i)), Source: "test"})
		if d.Disposition != DispositionPoison || d.Code != CodeRepeatedField {
			t.Errorf("%s\n  -> %+v, want poison with %s", body, d, CodeRepeatedField)
		}
	}
	if s.calls.Load() != 0 {
		t.Fatalf("sender called %d times for messages with a repeated key", s.calls.Load())
	}
}

func TestRepeatedKeyLooksInOneObjectAtATime(t *testing.T) {
	cases := map[string]string{
		`{"a":{"x":1},"b":{"x":2}}`:         "",
		`[{"a":1},{"a":2}]`:                 "",
		`{"a":"{\"k\":1,\"k\":2}"}`:         "", // inside a string: text, not keys
		`{"a":[{"k":1},{"k":2,"k":3}]}`:     "a.k",
		`{ "a" : 1 , "b" : [ ] , "a" : 2 }`: "a",
		`{}`:                                "",
	}
	for body, want := range cases {
		if got := scanKeys([]byte(body)).repeated; got != want {
			t.Errorf("scanKeys(%s).repeated = %q, want %q", body, got, want)
		}
	}
}
