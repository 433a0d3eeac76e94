package dysms

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"smsflow/local/acs3"
	"smsflow/local/faults"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// RegistryFile is an optional YAML registry of signatures and templates
	// (see LoadRegistry); empty means DefaultRegistry.
	RegistryFile string
	// Now is the emulator's wall clock: timestamp freshness, nonces, STS
	// expiry, and (plus any AdvanceClock offset) flow-control windows and
	// message times. Nil means time.Now.
	Now func() time.Time
	// Logf receives one line per API request (numbers masked, parameter
	// values never). Nil means silent.
	Logf func(format string, args ...any)
	// MagicLatency is how long the reserved latency numbers wait before
	// answering. Zero means 3 s.
	MagicLatency time.Duration
	// ReceiptsPending says ConfigureReceipts will follow (the local stack
	// configures receipts once the receipts function listens). Until it
	// does, accepted messages stay waiting and are reported once it comes:
	// at Alibaba every accepted message gets a report, so the emulator
	// never accepts one it will not report on.
	ReceiptsPending bool
}

// Server is the Dysmsapi emulator: an http.Handler serving the API on "/"
// and the admin API under /_emulator/.
type Server struct {
	opts     Options
	registry Registry
	// acs3 verifies signatures; its nonce memory serves the RPC path too.
	acs3     *acs3.Verifier
	faults   *faults.List
	reserved *faults.ReservedNumbers // which first-only reserved numbers were used

	mu       sync.Mutex // guards everything below
	messages []Message
	stats    Stats
	flow     *flowLimiter
	offset   time.Duration // AdvanceClock

	receipts *ReceiptConfig // nil: delivery decided at acceptance, no receipts
	// held are the settled outcomes of messages accepted while receipts
	// were pending (Options.ReceiptsPending): reported once configured.
	held            []Message
	receiptsSettled bool // ConfigureReceipts was called: nothing is pending any more
	receiptGen      int  // bumped by Reset: pending receipts of an older generation are forgotten
	pushes          []ReceiptPush
}

// New builds a Server, loading the registry file if one is named.
func New(opts Options) (*Server, error) {
	reg := DefaultRegistry()
	if opts.RegistryFile != "" {
		var err error
		if reg, err = LoadRegistry(opts.RegistryFile); err != nil {
			return nil, err
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.MagicLatency == 0 {
		opts.MagicLatency = 3 * time.Second
	}
	// Dysmsapi wants the host and a nonce signed (replay protection).
	s := &Server{opts: opts, registry: reg,
		acs3:   &acs3.Verifier{Signed: []string{"host"}, RequireNonce: true, Nonces: acs3.NewNonces()},
		faults: faults.NewList(faultRules), reserved: faults.NewReservedNumbers(reservedLookup)}
	s.resetLocked()
	return s, nil
}

// ServeHTTP serves the Dysmsapi API and the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	s.serveAPI(w, r)
}

// Registry answers a copy of the signatures and templates the emulator knows.
func (s *Server) Registry() Registry {
	r := Registry{Signatures: append([]Signature(nil), s.registry.Signatures...)}
	for _, t := range s.registry.Templates {
		t.Variables = append([]string(nil), t.Variables...)
		r.Templates = append(r.Templates, t)
	}
	return r
}

// Messages answers every accepted message since the last Reset, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = m.clone()
	}
	return out
}

// Stats answers the request and outcome counters since the last Reset.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats.clone()
}

// SetFault adds a fault after the ones already set (the oldest matching
// fault fires first) and answers it with its id.
func (s *Server) SetFault(f Fault) (Fault, error) {
	f, err := s.faults.Add(f)
	if err != nil {
		return Fault{}, fmt.Errorf("dysms: %w", err)
	}
	return f, nil
}

// Faults answers the faults still armed.
func (s *Server) Faults() []Fault {
	return s.faults.All()
}

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() {
	s.faults.Clear()
}

// Reset forgets messages, counters, faults, flow-control history, the
// AdvanceClock offset, which first-only reserved numbers were used, pending
// receipts and the push log. Remembered nonces stay: a reset emulator must
// still refuse a replayed request. The receipt configuration stays too.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.messages = nil
	s.stats = newStats()
	s.faults.Clear()
	s.flow = newFlowLimiter()
	s.reserved.Reset()
	s.offset = 0
	s.receiptGen++
	s.pushes = nil
	s.held = nil
}

// AdvanceClock moves business time forward by d: flow-control windows,
// message and QuerySendDetails times. Request timestamps, nonces and STS
// expiry stay on the wall clock (Options.Now), so the SDK, which stamps
// requests with the real time, keeps working; this is how a test gets past
// an hour or day window. It answers the total offset; Reset clears it.
func (s *Server) AdvanceClock(d time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	return s.offset
}

func (s *Server) clockOffset() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

func (s *Server) logf(format string, args ...any) {
	s.opts.Logf(format, args...)
}

func (s *Server) describe(a *answer) string {
	return fmt.Sprintf("%d %s", a.status(), a.code())
}
