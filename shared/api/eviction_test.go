package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/idem/redistest"
)

// startLogs opens the idempotency store on srv and answers what the
// function logged at start, one map per line.
func startLogs(t *testing.T, addr string) []map[string]any {
	t.Helper()
	var logs bytes.Buffer
	cfg := config.Idempotency{Redis: config.Redis{RedisAddr: addr, RedisTimeout: time.Second}, Retention: time.Hour, Lease: time.Minute}
	idem, err := OpenIdempotency(context.Background(), cfg, "configured-key", []byte("k"), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idem.Store.Close() })
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			lines = append(lines, m)
		}
	}
	return lines
}

func linesAbout(lines []map[string]any, word string) (levels []string) {
	for _, l := range lines {
		if msg, _ := l["msg"].(string); strings.Contains(msg, word) {
			levels = append(levels, l["level"].(string))
		}
	}
	return levels
}

// A Redis that may evict keys with a TTL (every key of ours has one) is
// called out at ERROR level at start; noeviction is not; a Redis that
// refuses CONFIG (managed Tair/Redis may) gets a warning, and the
// function starts either way.
// conformance: KV-01, KV-02
func TestAStoreThatMayEvictIsCalledOutAtStart(t *testing.T) {
	lru := redistest.Start(t, "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru")
	if got := linesAbout(startLogs(t, lru.Addr), "maxmemory-policy volatile-lru"); len(got) != 1 || got[0] != "ERROR" {
		t.Errorf("volatile-lru: %v, want one ERROR line", got)
	}
	safe := redistest.Start(t, "--maxmemory", "64mb", "--maxmemory-policy", "noeviction")
	if got := linesAbout(startLogs(t, safe.Addr), "maxmemory"); len(got) != 0 {
		t.Errorf("noeviction: %v, want nothing said", got)
	}
	noConfig := redistest.Start(t, "--rename-command", "CONFIG", "")
	if got := linesAbout(startLogs(t, noConfig.Addr), "cannot read the maxmemory-policy"); len(got) != 1 || got[0] != "WARN" {
		t.Errorf("CONFIG disabled: %v, want one WARN line", got)
	}
}
