package timeline

import (
	"strings"
	"testing"
)

// The timeline shows which provider each call went to and the failover.
func TestTimelineShowsTheFailover(t *testing.T) {
	rows := []map[string]string{
		{"event": "sms.attempt", "time": "2026-12-02T08:00:00.000Z", "provider": "alibaba", "status": "failed", "error_code": "ServiceUnavailable", "attempt": "1"},
		{"event": "sms.failover", "time": "2026-12-02T08:00:00.100Z", "provider": "tencent", "failover_from": "alibaba", "failover_reason": "transient:ServiceUnavailable"},
		{"event": "sms.attempt", "time": "2026-12-02T08:00:00.200Z", "provider": "tencent", "status": "accepted", "biz_id": "2640:1", "attempt": "2"},
	}
	var b strings.Builder
	Render(&b, "4bf92f3577b34da6a3ce929d0e0e4736", rows)
	out := b.String()
	for _, want := range []string{"via=alibaba  failed", "from=alibaba  to=tencent  because=transient:ServiceUnavailable", "via=tencent  accepted"} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
}
