package stack

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// readyGate stands in front of the send function's gateway: until every
// part of the stack is up (receipts function and the emulator's receipt
// configuration, dispatch queue, alert timer, dashboard), every request,
// `GET /healthz` included, answers 503 with Retry-After. The documented
// contract ("ready when GET /healthz answers 200") is then true of the
// whole stack, not of the send function alone (issue 14).
type readyGate struct {
	ready atomic.Bool
	next  http.Handler
}

func (g *readyGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.ready.Load() {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "starting",
			"message": "the local stack is still starting (receipts, queue, alerts, dashboard); retry when GET /healthz answers 200"})
		return
	}
	g.next.ServeHTTP(w, r)
}

// MarkReady opens the send gateway: /healthz answers the send function's
// own health from now on. Start calls it last, unless Options.DeferReady
// leaves it to the caller (the launcher opens it once its banner is out,
// so banner and readiness agree).
func (s *Stack) MarkReady() {
	if s.gate != nil {
		s.gate.ready.Store(true)
	}
}

// Ready reports whether the gateway is open.
func (s *Stack) Ready() bool { return s.gate != nil && s.gate.ready.Load() }
