package dashpage

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsflow/shared/dashboard"
)

func TestPageDrawsEachKindFromItsRows(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)
	minute := func(m int) string { return itoa(now.Add(time.Duration(m) * time.Minute).Truncate(time.Minute).Unix()) }
	rows := map[string][]map[string]string{
		"sends_per_minute": {{"t": minute(-2), "status": "accepted", "n": "5"}, {"t": minute(-1), "status": "accepted", "n": "7"},
			{"t": minute(-1), "status": "failed", "n": "1"}},
		"call_latency":        {{"t": minute(-1), "p50": "20", "p95": "80", "p99": "null"}},
		"top_error_codes":     {{"error_code": "isp.SYSTEM_ERROR", "n": "3"}, {"error_code": "isv.MOBILE_NUMBER_ILLEGAL", "n": "1"}},
		"alert_state_changes": {{"t": itoa(now.Unix()), "rule": "sms_failure_rate", "group": "", "from": "ok", "to": "pending", "value": "0.2"}},
	}
	p := New(func(_ context.Context, q string, from, to time.Time) ([]map[string]string, error) {
		if to.Sub(from) != time.Hour {
			t.Errorf("window %s..%s", from, to)
		}
		for _, c := range dashboard.Charts() {
			if c.Query == q {
				if c.ID == "throttling" {
					return nil, errors.New("boom <script>")
				}
				return rows[c.ID], nil
			}
		}
		return nil, errors.New("unknown query")
	})
	p.Now = func() time.Time { return now }
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest("GET", "/dashboard", nil))
	body, _ := io.ReadAll(w.Result().Body)
	html := string(body)

	points := func(id string) string {
		m := regexp.MustCompile(`id="` + id + `" data-kind="\w+" data-points="(\d+)"`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no figure %s", id)
		}
		return m[1]
	}
	for id, want := range map[string]string{"sends_per_minute": "3", "call_latency": "2", "top_error_codes": "2",
		"alert_state_changes": "1", "delivery_rate": "0", "throttling": "0"} {
		if got := points(id); got != want {
			t.Errorf("%s: %s points, want %s", id, got, want)
		}
	}
	if strings.Count(html, `class="series" data-name="accepted"`) != 1 || !strings.Contains(html, `data-name="failed"`) {
		t.Error("sends per minute should have one line per status")
	}
	if !strings.Contains(html, "query failed: boom &lt;script&gt;") || strings.Contains(html, "boom <script>") {
		t.Error("a failed query must be shown, escaped")
	}
	if !strings.Contains(html, `http-equiv="refresh"`) || !strings.Contains(html, "no data in this window") {
		t.Error("the page must reload itself and say when a chart is empty")
	}
	if !strings.Contains(html, "<td>pending</td>") {
		t.Error("the alert table lacks its row")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
