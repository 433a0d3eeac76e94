package tencent

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"smsflow/local/faults"
)

// The local contract (README.md, "Local stack").
const (
	LocalSecretID    = "smsflow-local-tc-id"
	LocalSecretKey   = "smsflow-local-tc-key"
	LocalSdkAppID    = "1400000001"
	LocalSign        = "smsflow"
	LocalRegion      = "ap-guangzhou"
	apiVersion       = "2021-01-11"
	service          = "sms"
	maxBodyBytes     = 1 << 20
	maxPhones        = 200
	maxSessionCtx    = 512
	timestampSkewMax = 5 * time.Minute
)

// Template is an approved template: its id and text with positional
// placeholders {1}, {2}, ...
type Template struct {
	ID, Text string
	Params   int
}

// DefaultTemplates are the local templates (docs/local-tencent.md).
var DefaultTemplates = []Template{
	{ID: "100001", Text: "您的验证码为{1}，5分钟内有效。", Params: 1},
	{ID: "100002", Text: "{1}，您的订单状态：{2}。", Params: 2},
}

// Regions SendSms is offered in (ap-guangzhou, ap-beijing, ap-nanjing).
var Regions = []string{"ap-guangzhou", "ap-beijing", "ap-nanjing"}

// Options configure a Server. The zero value is usable.
type Options struct {
	// Secrets maps SecretId to SecretKey; nil means the local pair.
	Secrets map[string]string
	// Now is the emulator's clock (timestamp checks, frequency limits).
	Now func() time.Time
	// Logf receives one line per request (numbers masked). Nil: silent.
	Logf func(format string, args ...any)
	// MagicLatency is how long the reserved latency number waits. Default 3 s.
	MagicLatency time.Duration
}

// Server is the Tencent SMS emulator: an http.Handler serving the API on
// "/" and the admin API under /_emulator/.
type Server struct {
	opts     Options
	faults   *faults.List
	reserved *faults.ReservedNumbers

	mu       sync.Mutex // guards everything below
	messages []Message
	sent     map[string][]time.Time // accepted sends per number, for the frequency limits
	requests int
	receipts *ReceiptConfig
	gen      int // bumped by Reset: pending receipts of an older generation are dropped
	pushes   []ReceiptPush
}

// New builds a Server.
func New(opts Options) *Server {
	if opts.Secrets == nil {
		opts.Secrets = map[string]string{LocalSecretID: LocalSecretKey}
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
	s := &Server{opts: opts, faults: faults.NewList(faultRules), reserved: faults.NewReservedNumbers(reservedLookup)}
	s.Reset()
	return s
}

// ServeHTTP serves the API and the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	s.serveAPI(w, r)
}

// SetFault arms a fault (see faults.List.Add).
func (s *Server) SetFault(f faults.Fault) (faults.Fault, error) { return s.faults.Add(f) }

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// Messages answers the accepted messages since the last Reset, oldest
// first; with a phone (any form Tencent accepts) only that number's.
func (s *Server) Messages(phone string) []Message {
	want, ok := normalisePhone(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Message{}
	for _, m := range s.messages {
		if phone == "" || (ok && m.PhoneNumber == want) {
			m.TemplateParamSet = slices.Clone(m.TemplateParamSet)
			out = append(out, m)
		}
	}
	return out
}

// Requests answers how many API requests arrived since the last Reset,
// refused and faulted ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Reset forgets messages, counters, faults, frequency-limit history,
// first-only reserved numbers, pending receipts and the push log. The
// receipt configuration stays.
func (s *Server) Reset() {
	s.faults.Clear()
	s.reserved.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages, s.pushes, s.requests = nil, nil, 0
	s.sent = map[string][]time.Time{}
	s.gen++
}

func (s *Server) template(id string) (Template, bool) {
	for _, t := range DefaultTemplates {
		if t.ID == id {
			return t, true
		}
	}
	return Template{}, false
}
