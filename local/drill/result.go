package drill

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is one scenario's line of the scorecard.
type Result struct {
	Scenario string `json:"scenario"`
	// ExpectedDetect and ExpectedRecover are the scenario's promises, in
	// local time (production time / Scale). ExpectedDetect is zero when no
	// alert is expected (the fault is not something an SLS rule can see).
	ExpectedDetect  Seconds `json:"expected_detect_s"`
	ExpectedRecover Seconds `json:"expected_recover_s"`
	// Detect is from the fault to the expected alert's firing notification
	// in the sink; Recover from the fault's removal to the first message
	// accepted that was first tried after it. Negative: never happened.
	Detect  Seconds `json:"detect_s"`
	Recover Seconds `json:"recover_s"`
	// AlertRule is the rule whose firing counts as detection.
	AlertRule string `json:"alert_rule,omitempty"`
	// Resolved is from the fault's removal to the rule's resolved
	// notification, bounded by ExpectedResolve (zero when no alert is
	// expected): an alert that keeps firing after recovery pages for
	// nothing.
	ExpectedResolve Seconds `json:"expected_resolve_s"`
	Resolved        Seconds `json:"resolved_s"`

	Messages int `json:"messages"` // keyed messages the generator made
	Accepted int `json:"accepted"` // answered 200
	Sent     int `json:"sent"`     // messages the Dysmsapi emulator accepted (at least once)
	// Lost: answered 200 but never sent, or with no sms.result event in
	// SLS (nor on the function's stdout, which FC collects).
	Lost      int `json:"lost"`
	SentTwice int `json:"sent_twice"` // one idempotency key seen twice at the emulator
	Unknown   int `json:"unknown"`    // left 504 outcome_unknown
	Refused   int `json:"refused"`    // refused for good, or still refused when the drill ended
	// EventsFromStdout counts accepted messages whose sms.result was only
	// on stdout (SLS down: FC's log collection would ship them).
	EventsFromStdout int `json:"events_from_stdout,omitempty"`

	Pass     bool     `json:"pass"`
	Failures []string `json:"failures,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// Seconds is a duration that prints as seconds (JSON: a number, -1 for
// "never").
type Seconds time.Duration

// Never marks a measurement that did not happen.
const Never = Seconds(-1)

func (s Seconds) MarshalJSON() ([]byte, error) {
	if s < 0 {
		return []byte("-1"), nil
	}
	return []byte(fmt.Sprintf("%.2f", time.Duration(s).Seconds())), nil
}

func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if f < 0 {
		*s = Never
		return nil
	}
	*s = Seconds(time.Duration(f * float64(time.Second)))
	return nil
}

func (s Seconds) String() string {
	if s < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1fs", time.Duration(s).Seconds())
}

// judge sets Pass and Failures from the figures.
func (r *Result) judge() {
	fail := func(f string, a ...any) { r.Failures = append(r.Failures, fmt.Sprintf(f, a...)) }
	if r.Lost > 0 {
		fail("%d message(s) lost", r.Lost)
	}
	if r.SentTwice > 0 {
		fail("%d message(s) sent twice", r.SentTwice)
	}
	if r.ExpectedDetect > 0 && (r.Detect < 0 || r.Detect > r.ExpectedDetect) {
		fail("%s did not fire within %s (measured %s)", r.AlertRule, r.ExpectedDetect, r.Detect)
	}
	if r.ExpectedResolve > 0 && (r.Resolved < 0 || r.Resolved > r.ExpectedResolve) {
		fail("%s did not resolve within %s (measured %s)", r.AlertRule, r.ExpectedResolve, r.Resolved)
	}
	if r.Recover < 0 || r.Recover > r.ExpectedRecover {
		fail("not recovered within %s (measured %s)", r.ExpectedRecover, r.Recover)
	}
	r.Pass = len(r.Failures) == 0
}

// Scorecard is what the command prints.
type Scorecard struct {
	Scale     int      `json:"scale"`
	Scenarios []Result `json:"scenarios"`
	Pass      bool     `json:"pass"`
}

// WriteTable prints the scorecard as a table, then each failure and note.
func (c Scorecard) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\texp. detect\tdetect\texp. recover\trecover\tresolved\tmessages\taccepted\tsent\tlost\tsent twice\tunknown\trefused\tresult\t\n")
	for _, r := range c.Scenarios {
		verdict := "PASS"
		if !r.Pass {
			verdict = "FAIL"
		}
		expDetect, detect, resolved := r.ExpectedDetect.String(), r.Detect.String(), r.Resolved.String()
		if r.ExpectedDetect == 0 {
			expDetect = "no alert"
			if r.Detect < 0 {
				detect = "-"
			}
		}
		if r.ExpectedResolve == 0 {
			resolved = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", r.Scenario, expDetect, detect,
			r.ExpectedRecover, r.Recover, resolved, r.Messages, r.Accepted, r.Sent, r.Lost, r.SentTwice, r.Unknown, r.Refused, verdict)
	}
	tw.Flush()
	fmt.Fprintf(w, "(local time; production time is %d times longer)\n", c.Scale)
	for _, r := range c.Scenarios {
		for _, f := range r.Failures {
			fmt.Fprintf(w, "FAIL %s: %s\n", r.Scenario, f)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "note %s: %s\n", r.Scenario, strings.TrimSpace(n))
		}
	}
}
