package dispatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/api"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/idem"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

// countingSender accepts every message and counts the calls.
type countingSender struct{ calls atomic.Int32 }

func (s *countingSender) Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	s.calls.Add(1)
	o := sms.Outcome{Status: sms.StatusAccepted, BizID: "B", RequestID: "R", HTTPStatus: 200, Code: "OK"}
	a := sms.Attempt{Number: 1, Start: time.Now(), Outcome: o}
	hook(ctx, a)
	return o, []sms.Attempt{a}
}

// realDispatcher is a Dispatcher in front of the real API handler, with a
// memory store and events written to logs.
func realDispatcher(t *testing.T, s api.Sender, logs *bytes.Buffer) *Dispatcher {
	t.Helper()
	log := obs.NewLogger(obs.NewShipper(config.Logs{}, "dispatch", creds.NewSource(true), logs))
	return New(realHandler(t, s, log), log, 2)
}

// realHandler is the API handler with a memory store and no send limits.
func realHandler(t *testing.T, s api.Sender, log *slog.Logger) *api.Handler {
	t.Helper()
	limits, err := idem.ParseLimits(idem.LimitsOff, "")
	if err != nil {
		t.Fatal(err)
	}
	return api.New(api.Options{Sender: s, Logger: log, Hasher: phone.NewHasher([]byte("k")),
		Idempotency: &api.Idempotency{Store: idem.NewMemory(time.Hour, time.Minute), Limits: limits, Keyer: idem.NewKeyer([]byte("k"))}})
}

// Every malformed envelope or body a publisher (or an attacker who may put
// messages on the queue) can send ends as poison with its reason logged,
// nothing sent, the invocation not failed, and neither the number nor a
// template value in the logs; its good neighbours are sent.
func TestMalformedMessagesArePoisonWithTheirReason(t *testing.T) {
	const otp = `{"phone_numbers":["13812345678"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"739184"}}`
	custom := func(id, extra, data string) string {
		return `{"id":"` + id + `","source":"acs.custom","type":"smsflow.message"` + extra + `,"data":` + data + `}`
	}
	cases := []struct{ name, event, reason string }{
		{"MNS event without data", `{"id":"e1","source":"MNS-x","type":"mns:Queue:SendMessage"}`, "no data"},
		{"MNS event without a body", `{"id":"e2","source":"MNS-x","type":"mns:Queue:SendMessage","data":{"messageId":"M2"}}`, "messageBody"},
		{"base64 body that is not UTF-8", mnsEvent("M3", base64.StdEncoding.EncodeToString([]byte("{\"phone_numbers\":[\"\xff\xfe\"]}"))), "UTF-8"},
		{"plain text body", mnsEvent("M4", "send 739184 to 13812345678 please"), "JSON"},
		{"body over the limit", mnsEvent("M5", strings.Replace(otp, "{", "{"+strings.Repeat(" ", 70<<10), 1)), "limit"},
		{"a JSON array, not an object", mnsEvent("M6", "["+otp+"]"), "object"},
		{"text/plain data that is no JSON", custom("c7", `,"datacontenttype":"text/plain"`, `"739184 for 13812345678"`), "JSON"},
		{"an unprintable template value", mnsEvent("M8", strings.Replace(otp, `739184"`, `739184\u202e"`, 1)), "template_params.code"},
		{"a number with a letter", mnsEvent("M9", strings.Replace(otp, `13812345678`, `1381234567x`, 1)), "phone_numbers[0]"},
	}
	for _, c := range cases {
		var logs bytes.Buffer
		s := &countingSender{}
		d := realDispatcher(t, s, &logs)
		payload := "[" + c.event + "," + mnsEvent("GOOD", strings.Replace(otp, "13812345678", "13812340000", 1)) + "]"
		sum, err := d.Handle(context.Background(), []byte(payload))
		if err != nil || sum.Counts["poison"] != 1 || sum.Counts["sent"] != 1 || s.calls.Load() != 1 {
			t.Errorf("%s: %+v, err %v, %d sends (want the poison dropped, its neighbour sent)", c.name, sum, err, s.calls.Load())
		}
		out := logs.String()
		if !strings.Contains(out, `"disposition":"poison"`) || !strings.Contains(out, c.reason) {
			t.Errorf("%s: no poison result naming %q:\n%s", c.name, c.reason, out)
		}
		for _, secret := range []string{"13812345678", "1381234567x", "739184"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s: the logs hold %q:\n%s", c.name, secret, out)
			}
		}
	}
}

// FC may freeze the instance the moment the invocation answers: every
// message's events (held per invocation) are shipped before FCHandler
// returns, the poison and the retried ones too.
func TestEveryMessageIsShippedBeforeTheInvocationAnswers(t *testing.T) {
	var shipped bytes.Buffer
	shipper := obs.NewShipper(config.Logs{}, "dispatch", creds.NewSource(true), &shipped)
	log := obs.NewLogger(shipper)
	handle := FCHandler(New(realHandler(t, &countingSender{}, log), log, 2), shipper)
	payload := "[" + mnsEvent("S1", request) + "," + mnsEvent("S2", "{") + "," + mnsEvent("S3", request) + "]"
	if _, err := handle(context.Background(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"S1", "S2", "S3"} {
		if !strings.Contains(shipped.String(), `"message_id":"`+id+`"`) {
			t.Errorf("%s: no event shipped when the invocation answered:\n%s", id, shipped.String())
		}
	}
}
