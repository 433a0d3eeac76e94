package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeSender struct {
	failFor map[string]bool
	mu      sync.Mutex
	got     []SMSRequest
}

func (f *fakeSender) SendSMS(_ context.Context, r SMSRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r)
	if f.failFor[r.Phone] {
		return errors.New("isv.BUSINESS_LIMIT_CONTROL")
	}
	return nil
}

func TestSMSFillsTemplateAndMasksNumbersInErrors(t *testing.T) {
	f := &fakeSender{failFor: map[string]bool{"13900001111": true}}
	s := &SMS{Sender: f, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE", Phones: []string{"13800008000", "13900001111"},
		Params: map[string]string{"name": "${rule}", "status": "${status}"}}
	m := Message{ID: "c1/sms", Vars: map[string]string{"rule": "sms_failure_rate_with_a_very_long_rule_name", "status": "firing"}}
	err := s.Send(context.Background(), m)
	var partial *PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("one of two numbers failed: err = %v, want PartialError", err)
	}
	if strings.Contains(err.Error(), "13900001111") || !strings.Contains(err.Error(), "139****1111") {
		t.Errorf("error shows the number unmasked or not at all: %v", err)
	}
	if len(f.got) != 2 || f.got[0].Params["status"] != "firing" || f.got[0].OutID != "c1/sms" ||
		f.got[0].Params["name"] != "sms_failure_rate_with_a_very_long_r" || f.got[0].SignName != "smsflow" {
		t.Errorf("requests = %+v", f.got)
	}
	f.failFor["13800008000"] = true
	if err := s.Send(context.Background(), m); err == nil || errors.As(err, &partial) {
		t.Errorf("all numbers failed: err = %v", err)
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800008000":    "138****8000",
		"+8613800008000": "+86*******8000",
		"12345":          "***45",
		"1":              "*",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// outcomeSMS answers per number: nil, an unknown outcome, or a failure.
type outcomeSMS map[string]error

func (o outcomeSMS) SendSMS(_ context.Context, req SMSRequest) error { return o[req.Phone] }

// Several on-call numbers: any that may have been reached stops a retry.
func TestSMSOutcomesAcrossNumbers(t *testing.T) {
	unknown := &UnknownError{Err: errors.New("SendSms unknown")}
	failed := errors.New("SendSms failed")
	cases := []struct {
		name       string
		outcomes   outcomeSMS
		partial    bool
		unknown    bool
		plainError bool
	}{
		{"one reached, one unknown", outcomeSMS{"13800000001": nil, "13800000002": unknown}, true, false, false},
		{"one unknown, one failed", outcomeSMS{"13800000001": unknown, "13800000002": failed}, false, true, false},
		{"all unknown", outcomeSMS{"13800000001": unknown, "13800000002": unknown}, false, true, false},
		{"all failed", outcomeSMS{"13800000001": failed, "13800000002": failed}, false, false, true},
	}
	for _, c := range cases {
		s := &SMS{Sender: c.outcomes, Phones: []string{"13800000001", "13800000002"}}
		err := s.Send(context.Background(), Message{})
		var p *PartialError
		var u *UnknownError
		if errors.As(err, &p) != c.partial || (!c.partial && errors.As(err, &u) != c.unknown) || (err != nil && c.plainError && (errors.As(err, &p) || errors.As(err, &u))) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

// hangingFirst hangs on its first number until the send timeout, an
// outcome it cannot know (as a Dysmsapi call that times out), and texts
// every other number at once.
type hangingFirst struct {
	first string
	mu    sync.Mutex
	sent  []string
}

func (h *hangingFirst) SendSMS(ctx context.Context, req SMSRequest) error {
	if req.Phone == h.first {
		<-ctx.Done()
		return &UnknownError{Err: ctx.Err()}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("not sent: %w", err) // no time left to start the call
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent = append(h.sent, req.Phone)
	return nil
}

// A first on-call number whose SendSms hangs until the send timeout does
// not cost the others their page.
func TestAHangingNumberDoesNotStarveTheOthers(t *testing.T) {
	h := &hangingFirst{first: "13800000001"}
	s := &SMS{Sender: h, SignName: "smsflow", TemplateCode: "SMS_LOCAL_NOTICE",
		Phones: []string{"13800000001", "13800000002", "13800000003"}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := s.Send(ctx, Message{ID: "c1/sms"})
	var partial *PartialError
	if len(h.sent) != 2 || !errors.As(err, &partial) {
		t.Fatalf("texted %v, err %v: want the two others texted and a partial delivery", h.sent, err)
	}
}
