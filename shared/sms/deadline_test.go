package sms

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsflow/local/sts"
)

// An invocation whose deadline leaves no time to wait for Alibaba's answer
// sends nothing: a call nobody waits for could only end as "unknown".
func TestNoCallWhenTheDeadlineLeavesNoTime(t *testing.T) {
	srv, addr := emulator(t)
	ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 100*time.Millisecond) // under the answer margin
	defer cancel()
	out, attempts := newSender(addr).Send(ctx, otpRequest(t, "13800138000"), nil)
	time.Sleep(200 * time.Millisecond) // let a call that did go out land
	if n := srv.Stats().Requests["SendSms"]; n != 0 || len(srv.Messages()) != 0 {
		t.Fatalf("%d SendSms calls reached the emulator (%d messages); want none", n, len(srv.Messages()))
	}
	if out.Status != StatusFailed || out.Class != ClassTransient || len(attempts) != 0 {
		t.Fatalf("outcome %+v after %d attempts; want a provably unsent failure and no attempt", out, len(attempts))
	}
}

// The first call obeys the retries' rule: with time left past the answer
// margin but less than one call's timeout budget, nothing goes out and the
// caller gets a provably unsent failure (503), not a 504 "unknown" later.
// conformance: DY-02
func TestFirstCallMustFitTheDeadline(t *testing.T) {
	srv, addr := emulator(t)
	s := newSender(addr) // ReadTimeout 1 s, answer margin 250 ms
	for _, left := range []time.Duration{400 * time.Millisecond, 1100 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), left)
		out, attempts := s.Send(ctx, otpRequest(t, "13800138000"), nil)
		cancel()
		if n := srv.Stats().Requests["SendSms"]; n != 0 || len(attempts) != 0 {
			t.Fatalf("%s left: %d SendSms calls, %d attempts; want none", left, n, len(attempts))
		}
		if out.Status != StatusFailed || out.Class != ClassTransient || !strings.Contains(out.Detail, "nothing was sent") {
			t.Fatalf("%s left: outcome %+v; want a provably unsent failure", left, out)
		}
	}
	// With the margin and a whole timeout left, the call goes out.
	ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 1400*time.Millisecond)
	defer cancel()
	if out, _ := s.Send(ctx, otpRequest(t, "13800138000"), nil); out.Status != StatusAccepted {
		t.Fatalf("enough time left: outcome %+v", out)
	}
}
