package timeline

import "testing"

func TestSortOrdersAttemptsNumerically(t *testing.T) {
	rows := []map[string]string{
		{"time": "2026-01-01T00:00:00Z", "event": "sms.attempt", "attempt": "10"},
		{"time": "2026-01-01T00:00:00Z", "event": "sms.attempt", "attempt": "2"},
	}
	Sort(rows)
	if rows[0]["attempt"] != "2" {
		t.Fatalf("attempt 10 sorted before attempt 2: %v", rows)
	}
}
