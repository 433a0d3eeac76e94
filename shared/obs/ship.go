package obs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/netx"
	"smsflow/shared/redact"
	"smsflow/shared/slsclient"
)

// Shipper writes events to the function's SLS logstore with PutLogs, as
// native key/value fields under a topic. When there is no logstore, or SLS
// cannot be reached in time, the events go to stdout as JSON lines instead:
// FC collects stdout into the bound logstore outside the process.
type Shipper struct {
	cfg    config.Logs
	topic  string
	creds  *creds.Source
	cred   *slsclient.Live
	stdout io.Writer
	outMu  sync.Mutex

	mu      sync.Mutex
	clients map[string]sls.ClientInterface

	// spans exports each flushed batch's spans over OTLP (nil: off).
	spans *spanExporter

	// Failures counts batches (of events or of spans) that fell back to stdout.
	Failures atomic.Int64

	// quiet pauses the first PutLogs after a quiet spell, so a connection
	// SLS closed meanwhile is dropped, not written to (netx/quiet.go);
	// now is its clock.
	quiet netx.Quiet
	now   func() time.Time
	// calls runs the PutLogs the SDK gives no context for.
	calls netx.Detached
}

// NewShipper returns a Shipper; topic is usually the function's name.
func NewShipper(cfg config.Logs, topic string, src *creds.Source, stdout io.Writer) *Shipper {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Second
	}
	s := &Shipper{cfg: cfg, topic: topic, creds: src, cred: &slsclient.Live{}, stdout: stdout,
		clients: map[string]sls.ClientInterface{}, now: time.Now}
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
	s.cred.Set(sls.Credentials{AccessKeyID: t.AccessKeyID, AccessKeySecret: t.AccessKeySecret, SecurityToken: t.SecurityToken})
	client := s.client(endpoint)
	groups := SplitForPutLogs(toLogGroup(events, s.topic, InstanceID))
	s.quiet.Settle(ctx, s.now())
	defer func() { s.quiet.Ended(s.now()) }()
	// The SDK takes no context: bound the wait, and fall back past it.
	var putErr error
	done := s.calls.Go(func() {
		for _, g := range groups {
			if putErr = client.PutLogs(project, logstore, g); putErr != nil {
				return
			}
		}
	})
	timer := time.NewTimer(s.cfg.Timeout)
	defer timer.Stop()
	select {
	case <-done:
		return putErr
	case <-timer.C:
		return fmt.Errorf("PutLogs took longer than %s", s.cfg.Timeout)
	case <-ctx.Done():
		return fmt.Errorf("PutLogs: %w", ctx.Err())
	}
}

func (s *Shipper) client(endpoint string) sls.ClientInterface {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[endpoint]; ok {
		return c
	}
	c := slsclient.New(endpoint, s.cred, s.cfg.Timeout)
	s.clients[endpoint] = c
	return c
}

func toLogGroup(events []Event, topic, source string) *sls.LogGroup {
	n := 0
	for _, e := range events {
		n += len(e.Fields)
	}
	// A handful of slabs rather than an allocation per field.
	contents, contentPtrs := make([]sls.LogContent, n), make([]*sls.LogContent, n)
	logs, logPtrs, times := make([]sls.Log, len(events)), make([]*sls.Log, len(events)), make([]uint32, 2*len(events))
	k := 0
	for i, e := range events {
		start := k
		for j := range e.Fields {
			contents[k] = sls.LogContent{Key: &e.Fields[j].Key, Value: &e.Fields[j].Value}
			contentPtrs[k] = &contents[k]
			k++
		}
		times[2*i], times[2*i+1] = uint32(e.Time.Unix()), uint32(e.Time.Nanosecond())
		logs[i] = sls.Log{Time: &times[2*i], TimeNs: &times[2*i+1], Contents: contentPtrs[start:k:k]}
		logPtrs[i] = &logs[i]
	}
	return &sls.LogGroup{Logs: logPtrs, Topic: &topic, Source: &source}
}

// PutLogs takes at most 4096 logs and 3 MB (raw protobuf) per log group
// and refuses the whole group past either (PostBodyTooLarge; conformance
// SLS-03). A receipt push can hold thousands of receipts, and a group SLS
// refuses is refused again on every re-push, so a batch is cut into groups
// within both.
const (
	maxLogsPerPut     = 4096
	maxRawBytesPerPut = 3<<20 - 64<<10 // room for the topic, source and tags
)

// SplitForPutLogs cuts g into groups PutLogs takes, in order; a group
// within the limits is returned as it is. The alert state log cuts its
// appends with it too.
func SplitForPutLogs(g *sls.LogGroup) []*sls.LogGroup {
	if len(g.Logs) <= maxLogsPerPut && g.Size() <= maxRawBytesPerPut {
		return []*sls.LogGroup{g}
	}
	var out []*sls.LogGroup
	start, size := 0, 0
	for i, l := range g.Logs {
		// A log's share of the group: its bytes, a tag and a length.
		n := l.Size() + 1 + varintLen(l.Size())
		if i > start && (i-start == maxLogsPerPut || size+n > maxRawBytesPerPut) {
			out = append(out, &sls.LogGroup{Logs: g.Logs[start:i:i], Topic: g.Topic, Source: g.Source, LogTags: g.LogTags})
			start, size = i, 0
		}
		size += n
	}
	return append(out, &sls.LogGroup{Logs: g.Logs[start:], Topic: g.Topic, Source: g.Source, LogTags: g.LogTags})
}

func varintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

func (s *Shipper) toStdout(events []Event) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	for _, e := range events {
		b, _ := json.Marshal(e)
		s.stdout.Write(append(b, '\n'))
	}
}

// diagnose writes a line that is not an event (and holds no personal data).
func (s *Shipper) diagnose(msg string) {
	// Exporters and the SLS SDK quote their URL in errors; an OTLP
	// endpoint may hold its receiver's key (issue 10.4).
	msg = redact.Text(msg)
	s.outMu.Lock()
	defer s.outMu.Unlock()
	b, _ := json.Marshal(map[string]string{KeyTime: time.Now().UTC().Format(time.RFC3339Nano), KeyLevel: "WARN", KeyEvent: "log", "message": msg})
	s.stdout.Write(append(b, '\n'))
}
