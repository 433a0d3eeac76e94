package drill

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"smsflow/shared/idem/redistest"
)

// Expected times are production's divided by Scale: an alert within 15
// minutes of a storm (the timer, the index lag, two evaluations over a
// five-minute window), service back within 5 minutes of the cause going,
// the alert resolved within 20 minutes of it (the window emptied of
// failures, the index lag, the evaluations).
const (
	expectDetect  = 15 * time.Minute / Scale
	expectRecover = 5 * time.Minute / Scale
	expectResolve = 20 * time.Minute / Scale
)

// scenarios lists the drills in the order they run.
func scenarios() []Scenario {
	return []Scenario{
		{
			Name: "alibaba-5xx", Description: "Alibaba answers HTTP 500 to every SendSms",
			Alert: "sms_failure_rate", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover,
			Rate: 8, Max: 400, MinFault: 3 * time.Second,
			inject: dysmsFault(`{"kind":"http500"}`), heal: clearDysms,
		},
		{
			Name: "alibaba-blackhole", Description: "Alibaba takes every SendSms and answers after our timeout",
			Alert: "sms_failure_rate", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover,
			Rate: 6, Max: 400, MinFault: 3 * time.Second,
			inject: dysmsFault(`{"kind":"latency","latency":"3s"}`), heal: clearDysms,
		},
		{
			Name: "alibaba-throttling", Description: "Alibaba throttles every SendSms (Throttling.Api)",
			Alert: "sms_throttle_rate", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover,
			Rate: 8, Max: 400, MinFault: 3 * time.Second,
			inject: dysmsFault(`{"kind":"throttling_api"}`), heal: clearDysms,
		},
		{
			Name: "sls-down", Description: "the send function cannot reach SLS: events fall back to stdout, which FC collects",
			ExpectedRecover: expectRecover, Rate: 8, Max: 400, MinFault: 4 * time.Second,
			inject: func(_ context.Context, e *env) (time.Time, error) { e.slsGap.Cut(true); return time.Now(), nil },
			heal:   func(_ context.Context, e *env) error { e.slsGap.Cut(false); return nil },
			check: func(_ *env, r *Result) {
				if r.EventsFromStdout == 0 {
					r.Failures = append(r.Failures, "no event fell back to stdout: the outage was not exercised")
				}
				r.Notes = append(r.Notes, fmt.Sprintf("%d sms.result events only on stdout, which FC ships to the logstore (the local FC emulator does not; docs/operations.md)", r.EventsFromStdout))
			},
		},
		{
			Name: "redis-down", Description: "the idempotency store dies: keyed requests are refused 503, retried after it is back",
			Alert: "sms_failure_rate", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover,
			Rate: 8, Max: 400, MinFault: 3 * time.Second,
			inject: stopRedis, heal: restartRedis,
		},
		{
			Name: "instance-killed", Description: "the function's process is killed while Alibaba holds its SendSms",
			ExpectedRecover: expectRecover, Rate: 2, Max: 100, MinFault: 2 * time.Second,
			inject: killMidSend, heal: clearDysms,
			check: func(_ *env, r *Result) {
				if r.Unknown == 0 {
					r.Failures = append(r.Failures, "the killed send did not end unknown")
				}
			},
		},
		{
			Name: "alibaba-outage-tencent", Description: "Alibaba answers 503 to every SendSms; Tencent is the secondary provider",
			Alert: "sms_on_secondary", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover, Rate: 8, Max: 400, MinFault: 5 * time.Second,
			Failover: true, RecoverVia: "alibaba",
			inject: dysmsFault(`{"kind":"http503"}`), heal: clearDysms,
			check: func(e *env, r *Result) {
				tencent := len(e.s.Tencent.Messages(""))
				if tencent == 0 {
					r.Failures = append(r.Failures, "nothing went through Tencent: the failover was not exercised")
				}
				r.Notes = append(r.Notes, fmt.Sprintf("%d messages went out through Tencent; recovery is Alibaba sending again (the circuit closes)", tencent))
			},
		},
		{
			Name: "bad-release", Description: "a version whose Dysmsapi endpoint refuses is released as a canary; the controller rolls it back",
			Alert: "release rollback", ExpectedDetect: expectDetect, ExpectedRecover: expectRecover,
			Rate: 8, Max: 400, Release: true, MinFault: time.Second,
			inject: releaseBroken, Detected: func(ctx context.Context, e *env) (time.Time, error) { return e.rolledBack(ctx) },
			// The rollback is the recovery; nothing is left to remove.
			heal:  func(context.Context, *env) error { return nil },
			check: checkCanaryServed,
		},
	}
}

func dysmsFault(f string) func(context.Context, *env) (time.Time, error) {
	return func(_ context.Context, e *env) (time.Time, error) {
		at := time.Now()
		return at, e.armDysms(f)
	}
}

func clearDysms(_ context.Context, e *env) error { return e.clearDysms() }

func stopRedis(_ context.Context, e *env) (time.Time, error) {
	at := time.Now()
	e.s.Redis.Stop()
	return at, nil
}

// restartRedis starts a new, empty redis-server where the old one was: the
// functions reconnect to the same address (keys of the accepted messages
// are gone, as after a failover to an empty replica; nothing is re-sent
// because the callers' retries are of refused requests only).
func restartRedis(_ context.Context, e *env) error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return err
	}
	_, port, err := net.SplitHostPort(e.s.RedisAddr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "smsflow-drill-redis-")
	if err != nil {
		return err
	}
	srv, err := redistest.StartBinary(bin, filepath.Clean(dir), "--port", port)
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("restarting redis on %s: %w", e.s.RedisAddr, err)
	}
	e.s.OnClose(func(context.Context) error { srv.Stop(); return os.RemoveAll(dir) })
	return nil
}

// killMidSend holds the next SendSms at Alibaba (accepted, answer late)
// and, once Alibaba has taken it while its caller still waits, kills every
// instance busy at that moment: the held send's for sure, perhaps another
// one whose request was anywhere between claim and answer. Whatever each
// was doing, none of their messages may go out twice.
func killMidSend(ctx context.Context, e *env) (time.Time, error) {
	if err := e.armDysms(`{"kind":"latency","latency":"3s","count":1}`); err != nil {
		return time.Time{}, err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		waiting := e.tr.unanswered()
		for _, m := range e.s.Dysms.Messages() {
			if waiting[m.Phone] && time.Since(m.AcceptedAt) > 300*time.Millisecond {
				at := time.Now()
				for _, inst := range e.s.Send.Instances() {
					if inst.InFlight() > 0 {
						inst.Kill()
					}
				}
				return at, nil
			}
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return time.Time{}, err
		}
	}
	return time.Time{}, fmt.Errorf("no send was held at Alibaba within 10s")
}
