package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/alert/notify"
)

// fakeSLS answers rule queries with rows chosen by the test.
type fakeSLS struct {
	mu       sync.Mutex
	rows     func(query string) []map[string]string
	complete bool
	err      error
	queries  []string
	windows  [][2]time.Time
}

func (f *fakeSLS) Query(_ context.Context, from, to time.Time, query string) (Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, query)
	f.windows = append(f.windows, [2]time.Time{from, to})
	if f.err != nil {
		return Result{}, f.err
	}
	return Result{Rows: f.rows(query), Complete: f.complete}, nil
}

func (f *fakeSLS) set(rows func(string) []map[string]string, complete bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows, f.complete, f.err = rows, complete, err
}

// rateRow is one row of a failure-rate query.
func rateRow(samples, failures int, group ...string) map[string]string {
	row := map[string]string{
		"samples": fmt.Sprint(samples),
		"value":   fmt.Sprint(float64(failures) / float64(max(samples, 1))),
	}
	if failures > 0 {
		row["example_trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
	}
	for i := 0; i+1 < len(group); i += 2 {
		row[group[i]] = group[i+1]
	}
	return row
}

func fixed(rows ...map[string]string) func(string) []map[string]string {
	return func(string) []map[string]string { return rows }
}

// hook is an httptest receiver of the generic webhook.
type hook struct {
	srv  *httptest.Server
	down atomic.Bool
	mu   sync.Mutex
	got  []notify.Message
	hits atomic.Int32
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hits.Add(1)
		if h.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var m notify.Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) messages() []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Message(nil), h.got...)
}

// kinds summarises received messages as "kind group" strings.
func (h *hook) kinds() []string {
	var out []string
	for _, m := range h.messages() {
		s := m.Kind
		for k, v := range m.Group {
			s += " " + k + "=" + v
		}
		out = append(out, s)
	}
	return out
}

// recorder is an Emitter that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Emit(_ context.Context, _ slog.Level, event string, attrs ...slog.Attr) {
	parts := []string{event}
	for _, a := range attrs {
		parts = append(parts, a.String())
	}
	r.mu.Lock()
	r.events = append(r.events, strings.Join(parts, " "))
	r.mu.Unlock()
}

func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

var errBoom = errors.New("boom")
