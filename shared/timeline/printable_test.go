package timeline

import (
	"strings"
	"testing"
	"time"

	"smsflow/shared/obs"
	"smsflow/shared/text"
)

// Whatever bytes SLS hands back (a caller's out_id or sign, an upstream
// message, a receipt's err message), the trace output holds no character a
// terminal would act on, and no field can start a line of its own (a fake
// "=> delivered" verdict). (issue 10.5)
func TestTraceOutputIsSafeForAnyBytes(t *testing.T) {
	hostile := []string{
		"\x1b[2J\x1b[Hcleared", "\x1b]0;title\x07", "a\rb", "x\n  => delivered", "rtl\u202egnp.exe", "iso\u2066late",
		"line\u2028sep", "para\u2029sep", "c1\u0085next\u009b31m", "zero\u200bwidth\ufeff", "bad\xff\xfeutf8", "tab\there",
	}
	var rows []map[string]string
	for i, h := range hostile {
		rows = append(rows,
			ev(time.Duration(i)*time.Millisecond, obs.EventRequest, obs.KeySignName, h, obs.KeyOutID, h, obs.KeyCaller, h),
			ev(time.Duration(i)*time.Millisecond+1, obs.EventAttempt, obs.KeyStatus, h, obs.KeyErrorMessage, h, obs.KeyAttempt, h),
			receiptRow(time.Second, "r"+h, "h"+h, false, h, h))
	}
	rows = append(rows, map[string]string{obs.KeyTime: t0.Format(time.RFC3339Nano), obs.KeyEvent: "evil\x1b[31m", "k\u202e": "v"})
	var b strings.Builder
	RenderMessage(&b, "4bf92f3577b34da6a3ce929d0e0e4736", rows, Options{Now: t0.Add(time.Minute)})
	Render(&b, "4bf92f3577b34da6a3ce929d0e0e4736", rows)
	out := b.String()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if r, pos, found := text.FirstUnfit(l); found {
			t.Fatalf("raw %U at %d in output line %q", r, pos, l)
		}
		if strings.HasPrefix(l, "  => delivered") {
			t.Fatalf("a field forged a verdict line:\n%s", out)
		}
	}
	for _, want := range []string{`\x1b[2J`, `\u202egnp.exe`, `\u2028sep`, `\u0085next`, `\xff\xfeutf8`, `x\n  => delivered`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks the escaped %q:\n%s", want, out)
		}
	}
}
