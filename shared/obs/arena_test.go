package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/trace"
)

// batchLines logs through a batch, flushes it to stdout and returns the
// events as maps, in order.
func batchLines(t *testing.T, logAll func(ctx context.Context, log *slog.Logger)) []map[string]string {
	t.Helper()
	var stdout bytes.Buffer
	shipper := NewShipper(config.Logs{}, "send", creds.NewSource(false), &stdout)
	ctx := NewBatch(trace.NewContext(context.Background(), trace.NewRoot()))
	logAll(ctx, NewLogger(shipper))
	shipper.Flush(ctx)
	var out []map[string]string
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var e map[string]string
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// Events are built in room the batch shares between them: many events, far
// more than the room holds, each with formatted values and attributes of its
// own, must come out exactly as logged, none overwritten by a later one.
func TestEventsInABatchKeepTheirOwnValues(t *testing.T) {
	const n = 40
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	events := batchLines(t, func(ctx context.Context, log *slog.Logger) {
		for i := 0; i < n; i++ {
			attrs := []slog.Attr{slog.Int(KeyAttempt, 1000+i), slog.String(KeyStatus, "s"+strconv.Itoa(i)),
				slog.Duration(KeyLatencyMS, time.Duration(i)*time.Millisecond), slog.Time("at", at.Add(time.Duration(i)*time.Second)),
				slog.Float64("ratio", float64(i)/4), slog.Bool(KeyRetryable, i%2 == 0), slog.Uint64("u", uint64(i)*1e12)}
			for j := 0; j < i%7*10; j++ { // some events far larger than the rest
				attrs = append(attrs, slog.Int("extra"+strconv.Itoa(j), i*j+100))
			}
			if i%2 == 0 {
				LogAttrs(ctx, log, slog.LevelInfo, EventAttempt, attrs...)
			} else {
				log.LogAttrs(ctx, slog.LevelInfo, EventAttempt, attrs...)
			}
		}
	})
	if len(events) != n {
		t.Fatalf("%d events, want %d", len(events), n)
	}
	for i, e := range events {
		want := map[string]string{KeyAttempt: strconv.Itoa(1000 + i), KeyStatus: "s" + strconv.Itoa(i), KeyLatencyMS: strconv.Itoa(i),
			"at": at.Add(time.Duration(i) * time.Second).Format(time.RFC3339Nano), "ratio": strconv.FormatFloat(float64(i)/4, 'g', -1, 64),
			KeyRetryable: strconv.FormatBool(i%2 == 0), "u": strconv.FormatUint(uint64(i)*1e12, 10)}
		for j := 0; j < i%7*10; j++ {
			want["extra"+strconv.Itoa(j)] = strconv.Itoa(i*j + 100)
		}
		for k, v := range want {
			if e[k] != v {
				t.Errorf("event %d: %s = %q, want %q", i, k, e[k], v)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, e[KeyTime]); err != nil || e[KeyTraceID] == "" {
			t.Errorf("event %d: time %q trace %q", i, e[KeyTime], e[KeyTraceID])
		}
	}
}

// Goroutines of one request log into its batch at once (run with -race).
func TestConcurrentEventsInABatch(t *testing.T) {
	const workers, each = 8, 25
	events := batchLines(t, func(ctx context.Context, log *slog.Logger) {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					LogAttrs(ctx, log, slog.LevelInfo, EventAttempt, slog.Int(KeyAttempt, w*1000+i), slog.Int("check", (w*1000+i)*7))
				}
			}()
		}
		wg.Wait()
	})
	seen := map[string]bool{}
	for _, e := range events {
		n, _ := strconv.Atoi(e[KeyAttempt])
		if e["check"] != strconv.Itoa(n*7) || seen[e[KeyAttempt]] {
			t.Fatalf("event mixed up or repeated: %v", e)
		}
		seen[e[KeyAttempt]] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d distinct events, want %d", len(seen), workers*each)
	}
}

// LogAttrs honours the logger's level, and a logger that is not ours is
// called as usual.
func TestLogAttrsLevelAndOtherLoggers(t *testing.T) {
	var stdout bytes.Buffer
	shipper := NewShipper(config.Logs{}, "send", creds.NewSource(false), &stdout)
	LogAttrs(context.Background(), slog.New(NewHandler(shipper, slog.LevelWarn)), slog.LevelInfo, EventAttempt)
	if stdout.Len() != 0 {
		t.Fatalf("an event below the level was logged: %q", stdout.String())
	}
	var other bytes.Buffer
	LogAttrs(context.Background(), slog.New(slog.NewJSONHandler(&other, nil)), slog.LevelInfo, EventAttempt, slog.Int(KeyAttempt, 2))
	if !strings.Contains(other.String(), `"attempt":2`) {
		t.Fatalf("other logger got %q", other.String())
	}
}
