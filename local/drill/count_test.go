package drill

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCountJudgesEachMessageByItsFate(t *testing.T) {
	msgs := []message{
		{key: "ok", phone: "1", outcome: accepted, trace: "t-ok"},
		{key: "twice", phone: "2", outcome: accepted, trace: "t-twice"},
		{key: "never-sent", phone: "3", outcome: accepted, trace: "t-never"},
		{key: "no-event", phone: "4", outcome: accepted, trace: "t-none"},
		{key: "stdout", phone: "5", outcome: accepted, trace: "t-stdout"},
		{key: "unknown", phone: "6", outcome: unknown},
		{key: "refused-but-sent", phone: "7", outcome: refused, status: 503},
		{key: "refused", phone: "8", outcome: refused, status: 400},
	}
	sent := map[string]int{"1": 1, "2": 2, "4": 1, "5": 1, "6": 1, "7": 1}
	events := map[string]eventPlace{"t-ok": inLogstore, "t-twice": inLogstore, "t-stdout": onStdout}
	var r Result
	count(&r, msgs, sent, func(trace string) eventPlace { return events[trace] })
	want := Result{Messages: 8, Accepted: 5, Sent: 6, Lost: 3, SentTwice: 1, Unknown: 1, Refused: 2, EventsFromStdout: 1}
	got := r
	got.Notes = nil
	if !equalCounts(got, want) {
		t.Fatalf("counted %+v, want %+v", got, want)
	}
	if len(r.Notes) != 3 {
		t.Fatalf("want a note per lost message, got %q", r.Notes)
	}
}

func equalCounts(a, b Result) bool {
	return a.Messages == b.Messages && a.Accepted == b.Accepted && a.Sent == b.Sent && a.Lost == b.Lost &&
		a.SentTwice == b.SentTwice && a.Unknown == b.Unknown && a.Refused == b.Refused && a.EventsFromStdout == b.EventsFromStdout
}

func TestJudgeFailsOnLossDoubleSendAndMissedTimes(t *testing.T) {
	base := Result{ExpectedDetect: Seconds(15 * time.Second), ExpectedRecover: Seconds(5 * time.Second),
		Detect: Seconds(4 * time.Second), Recover: Seconds(time.Second), AlertRule: "sms_failure_rate",
		ExpectedResolve: Seconds(15 * time.Second), Resolved: Seconds(8 * time.Second)}
	ok := base
	if ok.judge(); !ok.Pass {
		t.Fatalf("a clean result failed: %q", ok.Failures)
	}
	for name, mutate := range map[string]func(*Result){
		"lost":           func(r *Result) { r.Lost = 1 },
		"sent twice":     func(r *Result) { r.SentTwice = 1 },
		"never fired":    func(r *Result) { r.Detect = Never },
		"late alert":     func(r *Result) { r.Detect = Seconds(16 * time.Second) },
		"not recovered":  func(r *Result) { r.Recover = Never },
		"slow recovery":  func(r *Result) { r.Recover = Seconds(6 * time.Second) },
		"never resolved": func(r *Result) { r.Resolved = Never },
		"late resolve":   func(r *Result) { r.Resolved = Seconds(16 * time.Second) },
	} {
		r := base
		mutate(&r)
		if r.judge(); r.Pass || len(r.Failures) != 1 {
			t.Errorf("%s: pass=%v failures=%q", name, r.Pass, r.Failures)
		}
	}
	quiet := base
	quiet.ExpectedDetect, quiet.Detect, quiet.AlertRule, quiet.ExpectedResolve, quiet.Resolved = 0, Never, "", 0, Never
	if quiet.judge(); !quiet.Pass {
		t.Errorf("a scenario without an expected alert failed for not alerting: %q", quiet.Failures)
	}
}

func TestSecondsJSON(t *testing.T) {
	b, _ := json.Marshal(struct{ A, B Seconds }{Seconds(1500 * time.Millisecond), Never})
	if string(b) != `{"A":1.50,"B":-1}` {
		t.Fatalf("marshal: %s", b)
	}
	var v struct{ A, B Seconds }
	if err := json.Unmarshal(b, &v); err != nil || v.A != Seconds(1500*time.Millisecond) || v.B != Never {
		t.Fatalf("round trip: %+v %v", v, err)
	}
	var c Scorecard
	c.Scenarios = []Result{{Scenario: "x", Detect: Never, Recover: Never, Resolved: Never, Failures: []string{"boom"}}}
	var out strings.Builder
	c.WriteTable(&out)
	if !strings.Contains(out.String(), "FAIL x: boom") {
		t.Fatalf("table: %s", out.String())
	}
}
