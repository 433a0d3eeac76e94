// Package timeline tells the story of one message from its events in SLS:
// the request, each Alibaba call with its latency and outcome, the result,
// and the delivery receipt. It backs `go run ./local trace`.
package timeline

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/obs"
	"smsflow/shared/slsclient"
	"smsflow/shared/text"
)

// Fetch reads every event of traceID logged in [from, to).
func Fetch(c sls.ClientInterface, project, logstore, traceID string, from, to time.Time) ([]map[string]string, error) {
	if err := CheckTraceID(traceID); err != nil {
		return nil, err
	}
	rows, err := fetchAll(c, project, logstore, obs.KeyTraceID+": "+traceID, from, to)
	if err != nil {
		return nil, err
	}
	Sort(rows)
	return rows, nil
}

// fetchAll reads every row query matches. GetLogs answers at most 100
// lines a call, and a send to many numbers has a receipt per number: read
// page after page.
func fetchAll(c sls.ClientInterface, project, logstore, query string, from, to time.Time) ([]map[string]string, error) {
	var rows []map[string]string
	for offset := int64(0); offset < maxEvents; offset += pageLines {
		resp, err := c.GetLogsV3(project, logstore, &sls.GetLogRequest{From: from.Unix(), To: to.Unix(),
			Query: query, Lines: pageLines, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("GetLogs %s/%s: %w", project, logstore, err)
		}
		if !resp.IsComplete() {
			return nil, slsclient.ErrIncomplete
		}
		rows = append(rows, resp.Logs...)
		if int64(len(resp.Logs)) < pageLines {
			break
		}
	}
	return rows, nil
}

const (
	pageLines = 100
	maxEvents = 100_000
)

// printable escapes whatever came back from SLS before it reaches a
// terminal: any field may hold bytes a caller or an attacker chose
// (controls, ANSI escapes, bidi overrides, line separators), and printed raw
// they could rewrite or reorder what an operator reads. Keys too.
func printable(traceID string, rows []map[string]string) (string, []map[string]string) {
	out := make([]map[string]string, len(rows))
	for i, r := range rows {
		m := make(map[string]string, len(r))
		for k, v := range r {
			m[text.Escape(k)] = text.Escape(v)
		}
		out[i] = m
	}
	return text.Escape(traceID), out
}

// CheckTraceID refuses what is not a W3C trace id. The error says what one
// looks like and never repeats the argument: what an operator pastes by
// mistake is often a phone number or a template value.
func CheckTraceID(id string) error {
	if isHex(id, 32) {
		return nil
	}
	what := fmt.Sprintf("this argument is %d characters long", utf8.RuneCountInString(id))
	if utf8.RuneCountInString(id) == 32 {
		what = "this argument has 32 characters, but not all of them 0-9 or a-f"
	}
	return fmt.Errorf("a trace id is 32 lower-case hex characters (0-9, a-f), such as 4bf92f3577b34da6a3ce929d0e0e4736 (the X-Trace-Id header, or trace_id in SLS); %s", what)
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

var eventOrder = map[string]int{obs.EventRequest: 0, obs.EventAttempt: 1, obs.EventResult: 2, obs.EventReceipt: 3}

// Sort orders events by time, then by their place in a message's life (a
// request and its first attempt can share a timestamp).
func Sort(rows []map[string]string) {
	sort.SliceStable(rows, func(i, j int) bool {
		ti, tj := rows[i][obs.KeyTime], rows[j][obs.KeyTime]
		if ti != tj {
			return parse(ti).Before(parse(tj))
		}
		if oi, oj := eventOrder[rows[i][obs.KeyEvent]], eventOrder[rows[j][obs.KeyEvent]]; oi != oj {
			return oi < oj
		}
		return atoi(rows[i][obs.KeyAttempt]) < atoi(rows[j][obs.KeyAttempt])
	})
}

func parse(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// Render prints a readable timeline.
func Render(w io.Writer, traceID string, rows []map[string]string) {
	traceID, rows = printable(traceID, rows)
	if len(rows) == 0 {
		fmt.Fprintf(w, "trace %s: no events found (too early? SLS indexes within about a minute)\n", traceID)
		return
	}
	start := parse(rows[0][obs.KeyTime])
	fmt.Fprintf(w, "trace %s  (%d events)\n", traceID, len(rows))
	final := ""
	for _, r := range rows {
		at := parse(r[obs.KeyTime])
		name := r[obs.KeyEvent]
		if name == obs.EventAttempt {
			name += " #" + r[obs.KeyAttempt]
		}
		fmt.Fprintf(w, "  %s  %-8s %-15s %s\n", at.UTC().Format("15:04:05.000"), "+"+fmtMS(at.Sub(start)), name, describe(r))
		switch r[obs.KeyEvent] {
		case obs.EventResult:
			final = r[obs.KeyStatus]
		case obs.EventReceipt:
			final = r[obs.KeyStatus]
		}
	}
	if final != "" {
		fmt.Fprintf(w, "  => %s\n", final)
	}
}

func fmtMS(d time.Duration) string {
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// describe picks the fields that matter for each kind of event.
func describe(r map[string]string) string {
	var parts []string
	add := func(label, key string) {
		if v := r[key]; v != "" {
			if label != "" {
				v = label + "=" + v
			}
			parts = append(parts, v)
		}
	}
	switch r[obs.KeyEvent] {
	case obs.EventRequest:
		add("to", obs.KeyPhoneMasked)
		add("sign", obs.KeySignName)
		add("template", obs.KeyTemplateCode)
		add("params", obs.KeyTemplateParamKeys)
		add("out_id", obs.KeyOutID)
		add("caller", obs.KeyCaller)
	case obs.EventAttempt:
		add("via", obs.KeyProvider)
		add("", obs.KeyStatus)
		add("latency_ms", obs.KeyLatencyMS)
		add("code", obs.KeyErrorCode)
		add("class", obs.KeyErrorClass)
		add("biz_id", obs.KeyBizID)
		add("request_id", obs.KeyUpstreamRequestID)
		add("error", obs.KeyErrorMessage)
	case obs.EventResult:
		add("via", obs.KeyProvider)
		add("", obs.KeyStatus)
		add("http", obs.KeyHTTPStatus)
		add("duration_ms", obs.KeyDurationMS)
		add("attempts", obs.KeyAttempts)
		add("code", obs.KeyErrorCode)
		add("field", obs.KeyField)
		add("biz_id", obs.KeyBizID)
	case obs.EventFailover:
		add("from", obs.KeyFailoverFrom)
		add("to", obs.KeyProvider)
		add("because", obs.KeyFailoverReason)
		add("not possible", obs.KeyFailoverSkipped)
	default:
		add("", obs.KeyStatus)
		add("code", obs.KeyErrorCode)
		add("", "message")
	}
	return strings.Join(parts, "  ")
}

// atoi reads an attempt number; attempt 10 comes after attempt 2.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
