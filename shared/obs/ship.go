package obs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/netx"
	"smsflow/shared/redact"
	"smsflow/shared/slsput"
)

// Shipper writes events to the function's SLS logstore with PutLogs, as
// native key/value fields under a topic. When there is no logstore, or SLS
// cannot be reached in time, the events go to stdout as JSON lines instead:
// FC collects stdout into the bound logstore outside the process.
type Shipper struct {
	cfg    config.Logs
	topic  string
	creds  *creds.Source
	stdout io.Writer
	outMu  sync.Mutex

	mu      sync.Mutex
	clients map[string]*slsput.Client

	// spans exports each flushed batch's spans over OTLP (nil: off).
	spans *spanExporter

	// Failures counts batches (of events or of spans) that fell back to stdout.
	Failures atomic.Int64

	// quiet pauses the first PutLogs after a quiet spell, so a connection
	// SLS closed meanwhile is dropped, not written to (netx/quiet.go);
	// now is its clock.
	quiet netx.Quiet
	now   func() time.Time
}

// NewShipper returns a Shipper; topic is usually the function's name.
func NewShipper(cfg config.Logs, topic string, src *creds.Source, stdout io.Writer) *Shipper {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Second
	}
	s := &Shipper{cfg: cfg, topic: topic, creds: src, stdout: stdout,
		clients: map[string]*slsput.Client{}, now: time.Now}
	spans, err := newSpanExporter(cfg.OTLP, topic, src)
	if err != nil {
		// Traces are an extra: a bad setting must not stop messages, but
		// it must be seen (the events still tell everything).
		s.diagnose("OpenTelemetry export is OFF: " + err.Error())
	}
	s.spans = spans
	return s
}

// destination resolves where ctx's events go.
func (s *Shipper) destination(ctx context.Context) (endpoint, project, logstore string) {
	inv, _ := InvocationFrom(ctx)
	project, logstore, endpoint = s.cfg.Project, s.cfg.Logstore, s.cfg.Endpoint
	if project == "" {
		project = inv.LogProject
	}
	if logstore == "" {
		logstore = inv.LogStore
	}
	if endpoint == "" && inv.Region != "" {
		endpoint = inv.Region + "-intranet.log.aliyuncs.com"
	}
	return endpoint, project, logstore
}

// Ship writes events and returns once they are stored: in SLS, or failing
// that on stdout. It never fails the caller.
func (s *Shipper) Ship(ctx context.Context, events []Event) { _ = s.store(ctx, events) }

// store ships events and says whether SLS has them. Without an SLS
// destination, stdout is where events go, and that counts as stored.
func (s *Shipper) store(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	endpoint, project, logstore := s.destination(ctx)
	if endpoint == "" || project == "" || logstore == "" {
		s.toStdout(events)
		return nil
	}
	if err := s.put(ctx, endpoint, project, logstore, events); err != nil {
		s.Failures.Add(1)
		s.toStdout(events)
		s.diagnose(fmt.Sprintf("shipping %d events to SLS %s/%s failed, wrote them to stdout: %v", len(events), project, logstore, err))
		return fmt.Errorf("storing %d events in SLS %s/%s: %w", len(events), project, logstore, err)
	}
	return nil
}

func (s *Shipper) put(ctx context.Context, endpoint, project, logstore string, events []Event) error {
	t, err := s.creds.Get(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	client := s.client(endpoint)
	s.quiet.Settle(ctx, s.now())
	defer func() { s.quiet.Ended(s.now()) }()
	// Each PutLogs is bounded by ctx and cfg.Timeout, its retries included.
	for _, g := range slsput.Split(toLogGroup(events, s.topic, InstanceID)) {
		if err := client.PutLogs(ctx, t, slsput.Dest{Project: project, Logstore: logstore}, g); err != nil {
			return err
		}
	}
	return nil
}

func (s *Shipper) client(endpoint string) *slsput.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[endpoint]; ok {
		return c
	}
	c := slsput.New(endpoint, s.cfg.Timeout)
	s.clients[endpoint] = c
	return c
}

func toLogGroup(events []Event, topic, source string) *slsput.Group {
	n := 0
	for _, e := range events {
		n += len(e.Fields)
	}
	// One slab of contents rather than a slice per event.
	contents := make([]slsput.Content, 0, n)
	logs := make([]slsput.Log, len(events))
	for i, e := range events {
		start := len(contents)
		for _, f := range e.Fields {
			contents = append(contents, slsput.Content(f))
		}
		logs[i] = slsput.Log{Time: e.Time, Contents: contents[start:len(contents):len(contents)]}
	}
	return &slsput.Group{Logs: logs, Topic: topic, Source: source}
}

func (s *Shipper) toStdout(events []Event) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	for _, e := range events {
		b, _ := e.MarshalJSON() // not json.Marshal(e): no reflection, no second pass compacting what is compact
		s.stdout.Write(append(b, '\n'))
	}
}

// diagnose writes a line that is not an event (and holds no personal data).
func (s *Shipper) diagnose(msg string) {
	// Exporters and HTTP clients quote their URL in errors; an OTLP
	// endpoint may hold its receiver's key (issue 10.4).
	msg = redact.Text(msg)
	s.outMu.Lock()
	defer s.outMu.Unlock()
	b, _ := json.Marshal(map[string]string{KeyTime: time.Now().UTC().Format(time.RFC3339Nano), KeyLevel: "WARN", KeyEvent: "log", "message": msg})
	s.stdout.Write(append(b, '\n'))
}
