package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"smsflow/local/sts"
	"smsflow/local/testkit"
)

// fakeProvider answers scripted outcomes and counts calls.
type fakeProvider struct {
	name     string
	outcomes []Outcome // one per call; the last repeats
	calls    int
	mappable bool
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	o := f.outcomes[min(f.calls, len(f.outcomes)-1)]
	f.calls++
	a := Attempt{Number: 1, Start: time.Now(), Outcome: o}
	if hook != nil {
		hook(ctx, a)
	}
	return o, []Attempt{a}
}

func (f *fakeProvider) CanSend(Request) (bool, string) {
	if f.mappable {
		return true, ""
	}
	return false, "template has no tencent mapping"
}

var (
	accepted     = Outcome{Status: StatusAccepted, BizID: "B1"}
	unavailable  = Outcome{Status: StatusFailed, Class: ClassTransient, Code: "ServiceUnavailable"}
	refused      = Outcome{Status: StatusFailed, Class: ClassTransient, Detail: "connection refused"}
	timedOut     = Outcome{Status: StatusUnknown, Class: ClassAmbiguous}
	flowControl  = Outcome{Status: StatusThrottled, Class: ClassFlowControl, Code: "isv.BUSINESS_LIMIT_CONTROL"}
	badNumber    = Outcome{Status: StatusRejected, Class: ClassCaller, Code: "isv.MOBILE_NUMBER_ILLEGAL"}
	blacklisted  = Outcome{Status: StatusRejected, Class: ClassCaller, Code: "isv.BLACK_KEY_CONTROL_LIMIT"}
	apiThrottled = Outcome{Status: StatusThrottled, Class: ClassThrottling, Code: "Throttling.Api"}
	noBalance    = Outcome{Status: StatusFailed, Class: ClassAccount, Code: "isv.AMOUNT_NOT_ENOUGH"}
	unapproved   = Outcome{Status: StatusRejected, Class: ClassCaller, Code: "isv.SMS_TEMPLATE_ILLEGAL"}
	badCreds     = Outcome{Status: StatusFailed, Class: ClassCredentials, Code: "InvalidAccessKeyId.NotFound"}
	strange      = Outcome{Status: StatusFailed, Class: ClassUpstream, Code: "WhoKnows"}
)

func newPair(primary ...Outcome) (*Failover, *fakeProvider, *fakeProvider, *testkit.Buffer) {
	p := &fakeProvider{name: ProviderAlibaba, outcomes: primary}
	s := &fakeProvider{name: ProviderTencent, outcomes: []Outcome{{Status: StatusAccepted, BizID: "2640:1"}}, mappable: true}
	var buf testkit.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	return NewFailover(p, s, BreakerSettings{Failures: 3, Open: time.Hour}, log), p, s, &buf
}

// conformance: TC-11
func TestFailoverOnlyWhenThePrimaryProvablyDidNotSend(t *testing.T) {
	cases := []struct {
		name     string
		primary  Outcome
		failover bool
	}{
		{"accepted", accepted, false},
		{"5xx", unavailable, true},
		{"connection refused", refused, true},
		{"API throttling", apiThrottled, true},
		{"balance", noBalance, true},
		{"template not approved at the provider", unapproved, true},
		{"credentials", badCreds, true},
		{"timeout or reset: ambiguous", timedOut, false},
		{"per-number flow control", flowControl, false},
		{"per-number blacklist", blacklisted, false},
		{"caller's bad number", badNumber, false},
		{"unrecognised answer", strange, false},
	}
	for _, tc := range cases {
		f, p, s, _ := newPair(tc.primary)
		var hooked []Attempt
		out, attempts := f.Send(context.Background(), Request{}, func(_ context.Context, a Attempt) { hooked = append(hooked, a) })
		if p.calls != 1 || (s.calls == 1) != tc.failover {
			t.Errorf("%s: primary called %d, secondary %d; want failover=%t", tc.name, p.calls, s.calls, tc.failover)
			continue
		}
		wantProvider := ProviderAlibaba
		if tc.failover {
			wantProvider = ProviderTencent
		}
		if out.Provider != wantProvider || len(attempts) != len(hooked) || attempts[len(attempts)-1].Outcome.Provider != wantProvider {
			t.Errorf("%s: outcome by %q, attempts %+v", tc.name, out.Provider, attempts)
		}
		for i, a := range hooked {
			if a.Number != i+1 {
				t.Errorf("%s: hooked attempt %d numbered %d", tc.name, i+1, a.Number)
			}
		}
	}
}

func TestNoFailoverWithoutAMapping(t *testing.T) {
	f, p, s, buf := newPair(unavailable)
	s.mappable = false
	out, _ := f.Send(context.Background(), Request{}, nil)
	if s.calls != 0 || out.Provider != ProviderAlibaba || out.Class != ClassTransient || p.calls != 1 {
		t.Fatalf("secondary called %d times; outcome %+v", s.calls, out)
	}
	if !strings.Contains(buf.String(), `"failover_skipped":"template has no tencent mapping"`) {
		t.Errorf("the missed failover is not logged: %s", buf.String())
	}
}

func TestBreakerSkipsAFailingPrimaryAndLogsItsState(t *testing.T) {
	f, p, s, buf := newPair(unavailable)
	for i := 0; i < 3; i++ {
		f.Send(context.Background(), Request{}, nil)
	}
	if p.calls != 3 || s.calls != 3 {
		t.Fatalf("before opening: primary %d, secondary %d", p.calls, s.calls)
	}
	out, attempts := f.Send(context.Background(), Request{}, nil)
	if p.calls != 3 || s.calls != 4 || out.Provider != ProviderTencent || len(attempts) != 1 {
		t.Fatalf("open circuit: primary %d calls, secondary %d; %+v", p.calls, s.calls, out)
	}
	if !strings.Contains(buf.String(), `"msg":"sms.circuit"`) || !strings.Contains(buf.String(), `"to":"open"`) ||
		!strings.Contains(buf.String(), `"failover_reason":"circuit_open"`) {
		t.Errorf("logs: %s", buf.String())
	}
	// An unmappable request still goes to the primary, the only way out.
	s.mappable = false
	if out, _ := f.Send(context.Background(), Request{}, nil); out.Provider != ProviderAlibaba || p.calls != 4 {
		t.Fatalf("unmappable request with the circuit open: %+v, primary calls %d", out, p.calls)
	}
}

func TestBreakerClosesAfterASuccessfulTrial(t *testing.T) {
	p := &fakeProvider{name: ProviderAlibaba, outcomes: []Outcome{unavailable, unavailable, accepted}}
	s := &fakeProvider{name: ProviderTencent, outcomes: []Outcome{accepted}, mappable: true}
	var buf testkit.Buffer
	f := NewFailover(p, s, BreakerSettings{Failures: 2, Open: 50 * time.Millisecond}, slog.New(slog.NewJSONHandler(&buf, nil)))
	f.Send(context.Background(), Request{}, nil)
	f.Send(context.Background(), Request{}, nil)
	time.Sleep(80 * time.Millisecond)
	out, _ := f.Send(context.Background(), Request{}, nil)
	if out.Provider != ProviderAlibaba || p.calls != 3 {
		t.Fatalf("half-open trial: %+v (primary calls %d)", out, p.calls)
	}
	var states []string
	for _, line := range bytes.Split(bytes.TrimSpace([]byte(buf.String())), []byte("\n")) {
		var e map[string]any
		if json.Unmarshal(line, &e) == nil && e["msg"] == EventCircuit {
			states = append(states, e["to"].(string))
		}
	}
	if strings.Join(states, ",") != "open,half-open,closed" {
		t.Fatalf("circuit transitions %v", states)
	}
}

// Alibaba alone (no secondary) still says which provider answered.
func TestAlibabaAloneLabelsItsOutcomes(t *testing.T) {
	_, addr := emulator(t)
	var hooked []Attempt
	out, attempts := newSender(addr).Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"), func(_ context.Context, a Attempt) { hooked = append(hooked, a) })
	if out.Provider != ProviderAlibaba || len(attempts) != 1 || attempts[0].Outcome.Provider != ProviderAlibaba ||
		len(hooked) != 1 || hooked[0].Outcome.Provider != ProviderAlibaba {
		t.Fatalf("outcome %+v, attempts %+v, hooked %+v", out, attempts, hooked)
	}
}
