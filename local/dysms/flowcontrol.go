package dysms

import (
	"fmt"
	"time"
)

// chinaTime is Alibaba's day boundary for daily limits (a natural day in
// Beijing time). A fixed zone: no tzdata needed.
var chinaTime = time.FixedZone("CST", 8*3600)

// Alibaba's default per-number flow control for mainland numbers, counted at
// submission: verification codes 1/min, 5/hour, 10/day per signature+number
// and 40/day per number whatever the signature; notifications 50/day per
// signature+template+number.
type flowRule struct {
	window  string // "minute", "hour" or "day" (natural day)
	permits int
	message string
}

var (
	ruleVerifyMinute = flowRule{"minute", 1, "触发分钟级流控Permits:1"}
	ruleVerifyHour   = flowRule{"hour", 5, "触发小时级流控Permits:5"}
	ruleVerifyDay    = flowRule{"day", 10, "触发天级流控Permits:10"}
	ruleNumberDay    = flowRule{"day", 40, "触发号码天级流控Permits:40"}
	ruleNoticeDay    = flowRule{"day", 50, "触发天级流控Permits:50"}
)

// flowLimiter remembers accepted sends per counting key. It is not safe for
// concurrent use: the Server's lock guards it, so that checking and
// recording a send are one step.
type flowLimiter struct {
	sends map[string][]time.Time
}

func newFlowLimiter() *flowLimiter { return &flowLimiter{sends: map[string][]time.Time{}} }

type flowCheck struct {
	key  string
	rule flowRule
}

func flowChecks(kind TemplateKind, sign, template, phone string) []flowCheck {
	if kind == KindVerification {
		k := "verify|" + sign + "|" + phone
		return []flowCheck{
			{k, ruleVerifyMinute}, {k, ruleVerifyHour}, {k, ruleVerifyDay},
			{"verify-number|" + phone, ruleNumberDay},
		}
	}
	return []flowCheck{{"notice|" + sign + "|" + template + "|" + phone, ruleNoticeDay}}
}

// check answers the refusal for the first window that one more send would
// overflow, or nil.
func (f *flowLimiter) check(kind TemplateKind, sign, template, phone string, now time.Time) *refusal {
	for _, c := range flowChecks(kind, sign, template, phone) {
		if f.count(c.key, c.rule.window, now) >= c.rule.permits {
			return &refusal{Code: codeBusinessLimit, Message: c.rule.message}
		}
	}
	return nil
}

func (f *flowLimiter) record(kind TemplateKind, sign, template, phone string, now time.Time) {
	seen := map[string]bool{}
	for _, c := range flowChecks(kind, sign, template, phone) {
		if seen[c.key] {
			continue
		}
		seen[c.key] = true
		kept := f.sends[c.key][:0]
		for _, t := range f.sends[c.key] {
			if now.Sub(t) < 25*time.Hour {
				kept = append(kept, t)
			}
		}
		f.sends[c.key] = append(kept, now)
	}
}

// unrecord takes back the latest record for these keys (a multi-number
// request refused part-way).
func (f *flowLimiter) unrecord(kind TemplateKind, sign, template, phone string) {
	seen := map[string]bool{}
	for _, c := range flowChecks(kind, sign, template, phone) {
		if seen[c.key] || len(f.sends[c.key]) == 0 {
			continue
		}
		seen[c.key] = true
		f.sends[c.key] = f.sends[c.key][:len(f.sends[c.key])-1]
	}
}

func (f *flowLimiter) count(key, window string, now time.Time) int {
	var since time.Time
	switch window {
	case "minute":
		since = now.Add(-time.Minute)
	case "hour":
		since = now.Add(-time.Hour)
	case "day":
		y, m, d := now.In(chinaTime).Date()
		since = time.Date(y, m, d, 0, 0, 0, 0, chinaTime).Add(-time.Nanosecond)
	default:
		panic(fmt.Sprintf("dysms: unknown flow window %q", window))
	}
	n := 0
	for _, t := range f.sends[key] {
		if t.After(since) && !t.After(now) {
			n++
		}
	}
	return n
}
