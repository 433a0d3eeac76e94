package sms

import (
	"bytes"
	"context"
	"log/slog"
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

// A call not made for want of time says nothing about the provider: it
// must not count towards the primary's circuit breaker (three of them
// opened it, and every send went to Tencent for the open period: a false
// failover, and sms_on_secondary firing), nor be logged as a failover of a
// provider that was never called (issue 10.7's rule, seen from the pair).
func TestACallNotMadeForWantOfTimeIsNoProviderFailure(t *testing.T) {
	srv, addr := emulator(t)
	secondary := &fakeProvider{name: ProviderTencent, outcomes: []Outcome{{Status: StatusAccepted, BizID: "2640:1"}}, mappable: true}
	var logs bytes.Buffer
	f := NewFailover(newSender(addr), secondary, BreakerSettings{Failures: 3, Open: time.Hour}, slog.New(slog.NewJSONHandler(&logs, nil)))
	for range 5 {
		ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 400*time.Millisecond)
		out, _ := f.Send(ctx, otpRequest(t, "13800138000"), nil)
		cancel()
		if out.Status != StatusFailed || !out.NotAttempted {
			t.Fatalf("outcome %+v; want a call not made", out)
		}
	}
	if secondary.calls != 0 || strings.Contains(logs.String(), "sms.failover") || strings.Contains(logs.String(), `"to":"open"`) {
		t.Fatalf("calls not made failed over (%d secondary calls) or opened the circuit: %s", secondary.calls, logs.String())
	}
	ctx, cancel := context.WithTimeout(stsContext(sts.Issue(time.Hour)), 5*time.Second)
	defer cancel()
	if out, _ := f.Send(ctx, otpRequest(t, "13800138000"), nil); out.Provider != ProviderAlibaba || out.Status != StatusAccepted || srv.Stats().Requests["SendSms"] != 1 {
		t.Fatalf("with time enough: %+v, %d SendSms at Alibaba; want the primary to send", out, srv.Stats().Requests["SendSms"])
	}
}

// Nor is it a success: between real failures it must not reset the count
// (or, half-open, close the circuit without a real trial).
func TestACallNotMadeDoesNotResetTheBreaker(t *testing.T) {
	notMade := Outcome{Status: StatusFailed, Class: ClassTransient, NotAttempted: true}
	f, p, _, _ := newPair(unavailable, unavailable, notMade, unavailable, accepted)
	for range 4 {
		f.Send(context.Background(), Request{}, nil)
	}
	if f.Send(context.Background(), Request{}, nil); p.calls != 4 {
		t.Fatalf("three real failures in a row (a call not made between them): the primary was called again (%d calls); want the circuit open", p.calls)
	}
}
