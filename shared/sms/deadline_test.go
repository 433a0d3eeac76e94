package sms

import (
	"context"
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
