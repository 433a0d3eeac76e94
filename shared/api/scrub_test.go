package api

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"smsflow/shared/sms"
)

// leakySender panics with a message that quotes the request, the way an
// index or nil-map panic deep in a dependency could format its input.
type leakySender struct{}

func (leakySender) Send(_ context.Context, req sms.Request, _ sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	panic(fmt.Sprintf("cannot send %s to %s", req.TemplateParams["code"], req.Numbers[0].Upstream()))
}

// A panic is logged without the request's number or template values, on the
// HTTP path and on the event (dispatch) path alike.
func TestPanicMessageHoldsNoNumberOrParameterValue(t *testing.T) {
	var logs bytes.Buffer
	if w := post(idemHandler(t, leakySender{}, memStore(), &logs), "application/json", okBody); w.Code != 500 {
		t.Fatalf("send: got %d %s", w.Code, w.Body)
	}
	h := idemHandler(t, leakySender{}, memStore(), &logs)
	if d := h.Deliver(context.Background(), Message{Body: []byte(okBody), ID: "m1", Source: "test"}); d.HTTPStatus != 500 {
		t.Fatalf("deliver: %+v", d)
	}
	out := logs.String()
	if strings.Count(out, "cannot send") != 2 {
		t.Fatalf("want both panics logged:\n%s", out)
	}
	for _, secret := range []string{"13800138000", "482913"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold %q:\n%s", secret, out)
		}
	}
}
