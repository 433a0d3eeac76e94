package timeline

import (
	"strings"
	"testing"
	"time"

	"smsflow/shared/obs"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func ev(at time.Duration, event string, kv ...string) map[string]string {
	r := map[string]string{obs.KeyTime: t0.Add(at).Format(time.RFC3339Nano), obs.KeyEvent: event}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i]] = kv[i+1]
	}
	return r
}

func sendRows(numbers string) []map[string]string {
	return []map[string]string{
		ev(0, obs.EventRequest, obs.KeyPhoneMasked, "138****8000", obs.KeyNumberCount, numbers),
		ev(10*time.Millisecond, obs.EventAttempt, obs.KeyStatus, "accepted", obs.KeyAttempt, "1"),
		ev(20*time.Millisecond, obs.EventResult, obs.KeyStatus, "accepted", obs.KeyNumberCount, numbers),
	}
}

func receiptRow(recorded time.Duration, id, hash string, delivered bool, code, report string) map[string]string {
	status := "delivered"
	if !delivered {
		status = "failed"
	}
	d := "false"
	if delivered {
		d = "true"
	}
	return ev(recorded, obs.EventReceipt, obs.KeyStatus, status, obs.KeyDelivered, d, obs.KeyErrorCode, code,
		obs.KeyReceiptID, id, obs.KeyPhoneHash, hash, obs.KeyReportTime, report, obs.KeySMSSize, "2")
}

func render(rows []map[string]string, o Options) (string, []string) {
	var b strings.Builder
	RenderMessage(&b, "4bf92f3577b34da6a3ce929d0e0e4736", rows, o)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	return b.String(), lines
}

func TestReceiptsComeLastInReportOrderAndOnce(t *testing.T) {
	// Recorded before the send's events (the receipt beat them to SLS),
	// the later part first, and part 1 pushed twice.
	rows := append([]map[string]string{
		receiptRow(-time.Second, "p2", "h1", true, "DELIVERED", "2026-11-27T12:00:02Z"),
		receiptRow(-500*time.Millisecond, "p1", "h1", true, "DELIVERED", "2026-11-27T12:00:01Z"),
		receiptRow(time.Second, "p1", "h1", true, "DELIVERED", "2026-11-27T12:00:01Z"),
	}, sendRows("1")...)
	out, lines := render(rows, Options{Now: t0.Add(time.Minute)})
	if len(lines) != 7 {
		t.Fatalf("want header, 3 send events, 2 receipts, verdict:\n%s", out)
	}
	if !strings.Contains(lines[3], obs.EventResult) || !strings.Contains(lines[4], "reported=2026-11-27T12:00:01Z") ||
		!strings.Contains(lines[4], "(received 2×)") || !strings.Contains(lines[5], "reported=2026-11-27T12:00:02Z") {
		t.Errorf("order:\n%s", out)
	}
	if lines[6] != "  => delivered" {
		t.Errorf("verdict %q", lines[6])
	}
}

func TestAFailedReceiptEndsFailedWithTheCode(t *testing.T) {
	rows := append(sendRows("1"), receiptRow(time.Second, "f", "h1", false, "MK:0001", "2026-11-27T12:00:01Z"))
	_, lines := render(rows, Options{})
	if got := lines[len(lines)-1]; got != "  => failed (MK:0001)" {
		t.Errorf("verdict %q", got)
	}
	rows = append(sendRows("2"), receiptRow(time.Second, "f", "h1", false, "MK:0001", "2026-11-27T12:00:01Z"),
		receiptRow(time.Second, "d", "h2", true, "DELIVERED", "2026-11-27T12:00:01Z"))
	_, lines = render(rows, Options{})
	if got := lines[len(lines)-1]; got != "  => failed (MK:0001)  (for 1 of 2 numbers)" {
		t.Errorf("two numbers, one failed: %q", got)
	}
}

func TestAnAcceptedMessageWithoutAReceipt(t *testing.T) {
	_, lines := render(sendRows("1"), Options{Now: t0.Add(6 * time.Minute)})
	if got := lines[len(lines)-1]; !strings.Contains(got, "no receipt after 5m: pending/lost?") {
		t.Errorf("after 6 min: %q", got)
	}
	_, lines = render(sendRows("1"), Options{Now: t0.Add(30 * time.Second), ReceiptWait: time.Minute})
	if got := lines[len(lines)-1]; !strings.Contains(got, "waiting for the receipt (29s so far)") {
		t.Errorf("after 30 s: %q", got)
	}
	_, lines = render(sendRows("1"), Options{Now: t0.Add(2 * time.Minute), ReceiptWait: time.Minute})
	if got := lines[len(lines)-1]; !strings.Contains(got, "no receipt after 1m") {
		t.Errorf("configured wait: %q", got)
	}
}

func TestReceiptsWithoutTheSendsEvents(t *testing.T) {
	_, lines := render([]map[string]string{receiptRow(0, "d", "h1", true, "DELIVERED", "2026-11-27T12:00:01Z")}, Options{})
	if got := lines[len(lines)-1]; got != "  => delivered  (the send's own events are not in SLS yet)" {
		t.Errorf("verdict %q", got)
	}
}
