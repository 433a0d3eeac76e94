package timeline

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"smsflow/shared/obs"
)

// DefaultReceiptWait is how long after acceptance a missing receipt is
// worth a warning: Alibaba's receipts usually come within seconds, and its
// own re-pushes give up after 16 minutes.
const DefaultReceiptWait = 5 * time.Minute

// Options tune RenderMessage.
type Options struct {
	// Now is the time the reader looks (for "no receipt after ..."); zero
	// means time.Now().
	Now time.Time
	// ReceiptWait is how long an accepted message may go without a receipt
	// before it is flagged; zero means DefaultReceiptWait.
	ReceiptWait time.Duration
}

// RenderMessage prints a message's whole life: the send's events in time
// order, then its delivery receipts in report order (a re-pushed receipt
// once, with how often it came), then the verdict: delivered, failed with
// Alibaba's err_code, or how long an accepted message has gone without a
// receipt. Receipts join by trace id, so they show even when they were
// recorded before the send's own events.
func RenderMessage(w io.Writer, traceID string, rows []map[string]string, o Options) {
	traceID, rows = printable(traceID, rows)
	if len(rows) == 0 {
		Render(w, traceID, rows)
		return
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.ReceiptWait <= 0 {
		o.ReceiptWait = DefaultReceiptWait
	}
	var sends []map[string]string
	for _, r := range rows {
		if r[obs.KeyEvent] != obs.EventReceipt {
			sends = append(sends, r)
		}
	}
	Sort(sends)
	receipts := distinctReceipts(rows)
	start := earliest(rows)
	fmt.Fprintf(w, "trace %s  (%d events)\n", traceID, len(rows))
	for _, r := range sends {
		line(w, start, r, "")
	}
	for _, rc := range receipts {
		extra := ""
		if rc.seen > 1 {
			extra = fmt.Sprintf("  (received %d×)", rc.seen)
		}
		line(w, start, rc.row, extra)
	}
	fmt.Fprintf(w, "  => %s\n", verdict(sends, receipts, o))
}

func line(w io.Writer, start time.Time, r map[string]string, extra string) {
	at := parse(r[obs.KeyTime])
	name := r[obs.KeyEvent]
	desc := describe(r)
	switch name {
	case obs.EventAttempt:
		name += " #" + r[obs.KeyAttempt]
	case obs.EventReceipt:
		desc = describeReceipt(r)
	}
	fmt.Fprintf(w, "  %s  %-8s %-15s %s%s\n", at.UTC().Format("15:04:05.000"), "+"+fmtMS(at.Sub(start)), name, desc, extra)
}

func describeReceipt(r map[string]string) string {
	parts := []string{r[obs.KeyStatus]}
	for _, f := range []struct{ label, key string }{
		{"to", obs.KeyPhoneMasked}, {"code", obs.KeyErrorCode}, {"msg", obs.KeyErrorMessage},
		{"parts", obs.KeySMSSize}, {"time_to_delivery_ms", obs.KeyTimeToDeliveryMS},
		{"reported", obs.KeyReportTime}, {"biz_id", obs.KeyBizID}, {"out_id", obs.KeyOutID},
		{"via", obs.KeyReceiptSource},
	} {
		if v := r[f.key]; v != "" {
			parts = append(parts, f.label+"="+v)
		}
	}
	if r[obs.KeyJoinedBy] == "biz_id" {
		parts = append(parts, "(joined by biz_id: the out_id carried no trace)")
	}
	return strings.Join(parts, "  ")
}

type receipt struct {
	row  map[string]string
	seen int
}

// distinctReceipts keeps one row per receipt_id, in report order.
func distinctReceipts(rows []map[string]string) []receipt {
	byID := map[string]*receipt{}
	var out []*receipt
	for _, r := range rows {
		if r[obs.KeyEvent] != obs.EventReceipt {
			continue
		}
		id := r[obs.KeyReceiptID]
		if rc, ok := byID[id]; ok && id != "" {
			rc.seen++
			continue
		}
		rc := &receipt{row: r, seen: 1}
		byID[id] = rc
		out = append(out, rc)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].row, out[j].row
		if a[obs.KeyReportTime] != b[obs.KeyReportTime] {
			return parse(a[obs.KeyReportTime]).Before(parse(b[obs.KeyReportTime]))
		}
		return parse(a[obs.KeyTime]).Before(parse(b[obs.KeyTime]))
	})
	res := make([]receipt, len(out))
	for i, rc := range out {
		res[i] = *rc
	}
	return res
}

func earliest(rows []map[string]string) time.Time {
	var t time.Time
	for _, r := range rows {
		if at := parse(r[obs.KeyTime]); t.IsZero() || at.Before(t) {
			t = at
		}
	}
	return t
}

// verdict is the message's state: from its receipts when there are any
// (failed if any number's receipt failed), else from the send's result.
func verdict(sends []map[string]string, receipts []receipt, o Options) string {
	var result map[string]string
	for _, r := range sends {
		if r[obs.KeyEvent] == obs.EventResult {
			result = r
		}
	}
	if len(receipts) == 0 {
		if result == nil {
			return "no result yet"
		}
		status := result[obs.KeyStatus]
		if status != "accepted" {
			return status
		}
		age := o.Now.Sub(parse(result[obs.KeyTime])).Truncate(time.Second)
		if age >= o.ReceiptWait {
			return fmt.Sprintf("accepted; no receipt after %s: pending/lost? (QuerySendDetails with the biz_id tells)", fmtWait(o.ReceiptWait))
		}
		return fmt.Sprintf("accepted; waiting for the receipt (%s so far)", age)
	}
	failed := map[string]string{} // phone_hash -> err_code
	delivered := map[string]bool{}
	for _, rc := range receipts {
		who := rc.row[obs.KeyPhoneHash]
		if rc.row[obs.KeyDelivered] == "true" {
			delivered[who] = true
		} else if _, ok := failed[who]; !ok {
			failed[who] = rc.row[obs.KeyErrorCode]
		}
	}
	note := ""
	if result == nil {
		note = "  (the send's own events are not in SLS yet)"
	} else if n := numberCount(result); n > len(delivered)+len(failed) {
		note = fmt.Sprintf("  (receipts for %d of %d numbers)", len(delivered)+len(failed), n)
	}
	if len(failed) > 0 {
		codes := map[string]bool{}
		for _, c := range failed {
			codes[c] = true
		}
		list := make([]string, 0, len(codes))
		for c := range codes {
			list = append(list, c)
		}
		sort.Strings(list)
		if n := numberCount(result); n > 1 {
			note = fmt.Sprintf("  (for %d of %d numbers)", len(failed), n)
		}
		return fmt.Sprintf("failed (%s)%s", strings.Join(list, ", "), note)
	}
	return "delivered" + note
}

func numberCount(result map[string]string) int {
	var n int
	fmt.Sscan(result[obs.KeyNumberCount], &n)
	return n
}

func fmtWait(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return d.String()
}
