package drill

import (
	"fmt"
	"strings"
	"time"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/slsclient"

	sls "github.com/aliyun/aliyun-log-go-sdk"
)

// tally fills r's message counts from the stack: each message's fate at
// the emulators, Alibaba's and Tencent's (by its number), and its sms.result event in SLS (or, when
// SLS could not be reached, on stdout).
func (e *env) tally(r *Result, msgs []message) error {
	sentTo := map[string]int{}
	for _, m := range e.s.Dysms.Messages() {
		sentTo[m.Phone]++
	}
	// Tencent (the secondary) writes numbers in E.164.
	for _, m := range e.s.Tencent.Messages("") {
		sentTo[strings.TrimPrefix(m.PhoneNumber, "+86")]++
	}
	inSLS, err := e.resultTraces()
	if err != nil {
		return err
	}
	count(r, msgs, sentTo, func(trace string) eventPlace {
		switch {
		case inSLS[trace]:
			return inLogstore
		case e.stdout.hasResult(trace):
			return onStdout
		}
		return nowhere
	})
	return nil
}

// eventPlace is where a request's sms.result event landed.
type eventPlace int

const (
	nowhere eventPlace = iota
	inLogstore
	onStdout
)

// count judges each message by its answer, how often the emulator sent to
// its number, and where its sms.result landed.
func count(r *Result, msgs []message, sentTo map[string]int, event func(trace string) eventPlace) {
	r.Messages = len(msgs)
	for _, m := range msgs {
		n := sentTo[m.phone]
		if n > 0 {
			r.Sent++
		}
		if n > 1 {
			r.SentTwice++
		}
		switch m.outcome {
		case accepted:
			r.Accepted++
			if n == 0 {
				r.Lost++
				r.Notes = append(r.Notes, fmt.Sprintf("%s answered 200 (trace %s) but never reached Alibaba", m.key, m.trace))
				continue
			}
			switch event(m.trace) {
			case inLogstore:
			case onStdout:
				r.EventsFromStdout++
			default:
				r.Lost++
				r.Notes = append(r.Notes, fmt.Sprintf("%s: no sms.result for trace %s in SLS nor on stdout", m.key, m.trace))
			}
		case unknown:
			r.Unknown++
		default:
			r.Refused++
			if n > 0 {
				// Refused for good yet sent: the caller was told "not sent"
				// and may send again under a new key.
				r.Lost++
				r.Notes = append(r.Notes, fmt.Sprintf("%s was sent, but its caller was told %d", m.key, m.status))
			}
		}
	}
}

// resultTraces answers the trace ids of the sms.result events in SLS (the
// stack is the scenario's own: every event is of this scenario).
func (e *env) resultTraces() (map[string]bool, error) {
	rows, err := e.query(`event: "sms.result" | SELECT trace_id, count(1) AS n GROUP BY trace_id LIMIT 100000`)
	if err != nil {
		return nil, fmt.Errorf("reading sms.result events: %w", err)
	}
	out := make(map[string]bool, len(rows))
	for _, row := range rows {
		out[row["trace_id"]] = true
	}
	return out, nil
}

// query runs an SLS query over the last hour with the unmodified SDK and
// the local-only key pair.
func (e *env) query(q string) ([]map[string]string, error) {
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	c := slsclient.New(e.s.SLSAddr, p, 30*time.Second)
	return slsclient.Query(c, stack.LocalProject, stack.LocalLogstore, q, time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
}

// firing answers when rule's first firing notification after t reached
// the sink (zero if none did).
func (e *env) firing(rule string, after time.Time) time.Time {
	return e.notified(rule, "firing", after)
}

// notified answers when rule's first notification of status after t
// reached the sink (zero if none did).
func (e *env) notified(rule, status string, after time.Time) time.Time {
	for _, n := range e.s.Sink.Notifications() {
		if n.Accepted && n.Channel == "webhook" && n.Rule == rule && strings.EqualFold(n.Status, status) && n.Received.After(after) {
			return n.Received
		}
	}
	return time.Time{}
}
