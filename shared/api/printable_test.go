package api

import (
	"strings"
	"testing"

	"smsflow/shared/sms"
)

// The refusal of an unfit character names the field, the code point and
// its position, and never echoes the value (it may be an OTP).
func TestUnprintableRefusalNamesTheCharacterNotTheValue(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	w := post(newTestHandler(t, s, nil), "application/json",
		`{"phone_numbers":["13800138000"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"4821\u202e9"}}`)
	e := decodeError(t, w)
	if w.Code != 400 || e.Error.Code != CodeUnprintable || e.Error.Field != "template_params.code" {
		t.Fatalf("got %d %+v", w.Code, e)
	}
	if !strings.Contains(e.Error.Message, "U+202E") || !strings.Contains(e.Error.Message, "character 5") ||
		strings.Contains(e.Error.Message, "4821") || strings.ContainsRune(e.Error.Message, 0x202E) {
		t.Fatalf("message %q", e.Error.Message)
	}
	if s.calls.Load() != 0 {
		t.Fatal("the request reached the sender")
	}
}
