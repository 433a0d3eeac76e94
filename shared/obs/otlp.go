package obs

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slstrace"
)

// scopeName is the instrumentation scope of every span.
const scopeName = "smsflow/shared/obs"

// spanExporter sends one invocation's spans with OTLP/HTTP, synchronously
// and within a bound: FC may freeze the instance once the handler has
// returned, so a batching processor's goroutine is no place for them.
// The request is encoded and posted here (otlp_wire.go, otlp_post.go),
// not by otlptracehttp, which links gRPC (docs/tracing.md).
type spanExporter struct {
	post    *otlpPoster
	timeout time.Duration
	service string
}

// newSpanExporter returns nil when OTLP export is off.
func newSpanExporter(cfg config.OTLP, service string, src *creds.Source) (*spanExporter, error) {
	if cfg.Endpoint == "" {
		return nil, nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 500 * time.Millisecond
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	headers, _ := cfg.HeaderMap()
	var rt http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if cfg.SLSAuth {
		rt = &slsAuth{next: rt, creds: src}
	}
	// The whole export, retries included, has cfg.Timeout.
	post := &otlpPoster{client: &http.Client{Transport: rt, Timeout: cfg.Timeout}, url: cfg.Endpoint,
		headers: headers, bound: cfg.Timeout}
	return &spanExporter{post: post, timeout: cfg.Timeout, service: service}, nil
}

// errCredentials marks an export that never left for want of
// credentials: not a request without an answer, so it is not retried.
var errCredentials = errors.New("credentials for SLS Trace")

// errPartial reports rejected spans: the request is done (no retry), but
// those spans are not in the trace store.
var errPartial = errors.New("the OTLP receiver rejected spans")

// slsAuth adds the function's role credentials to each export, so SLS
// Trace needs no configured AccessKey.
type slsAuth struct {
	next  http.RoundTripper
	creds *creds.Source
}

func (a *slsAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	t, err := a.creds.Get(r.Context())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCredentials, err)
	}
	r = r.Clone(r.Context())
	r.Header.Set(slstrace.HeaderAKID, t.AccessKeyID)
	r.Header.Set(slstrace.HeaderAKSecret, t.AccessKeySecret)
	if t.SecurityToken != "" {
		r.Header.Set(slstrace.HeaderToken, t.SecurityToken)
	}
	return a.next.RoundTrip(r)
}

// resourceOf describes the process in semantic-convention terms.
func (x *spanExporter) resourceOf(ctx context.Context) []attr {
	attrs := []attr{stringAttr("service.name", x.service),
		stringAttr("cloud.provider", "alibaba_cloud"), stringAttr("cloud.platform", "alibaba_cloud_fc"),
		stringAttr("faas.instance", InstanceID), stringAttr("host.name", InstanceID)}
	if inv, ok := InvocationFrom(ctx); ok {
		attrs = append(attrs, stringAttr("faas.name", inv.Function), stringAttr("faas.version", inv.Version),
			stringAttr("cloud.region", inv.Region))
	}
	return attrs
}

// export sends the spans of events; on failure (or past the bound) it
// writes them to stdout in SLS Trace's shape and returns the error.
func (x *spanExporter) export(ctx context.Context, s *Shipper, events []Event, start, end time.Time) error {
	spans := spansFrom(events, start, end)
	if len(spans) == 0 {
		return nil
	}
	res := x.resourceOf(ctx)
	// The caller's cancellation must not lose the spans (they fall back),
	// but its deadline bounds the export: the receipts function answers
	// Alibaba within its budget once the events are stored, and a stalled
	// receiver must not hold that answer for SMSFLOW_OTLP_TIMEOUT. Past
	// the deadline the spans go to stdout like events do.
	bound := x.timeout
	if dl, ok := ctx.Deadline(); ok {
		bound = min(bound, time.Until(dl))
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bound)
	defer cancel()
	warning, err := x.deliver(ectx, res, spans)
	if warning != "" {
		s.diagnose(warning)
	}
	if err == nil {
		return nil
	}
	s.Failures.Add(1)
	s.spansToStdout(res, spans)
	s.diagnose(fmt.Sprintf("exporting %d spans over OTLP failed, wrote them to stdout: %v", len(spans), err))
	return fmt.Errorf("exporting %d spans: %w", len(spans), err)
}

// deliver encodes spans as one OTLP/HTTP request and posts it. Spans the
// receiver says it rejected (a partial success) count as a failure: the
// answer does not say which, so all of them go to stdout too (stdout is
// the function's logstore, not the trace store: nothing is stored twice
// in one place). A warning with nothing rejected is returned as such.
// conformance: OT-09
func (x *spanExporter) deliver(ctx context.Context, res []attr, spans []span) (warning string, err error) {
	ps, err := x.post.post(ctx, encodeTraces(res, scopeName, spans))
	switch {
	case err != nil:
		return "", err
	case ps.rejected > 0:
		return "", fmt.Errorf("%w: %d of %d: %s", errPartial, ps.rejected, len(spans), ps.message)
	case ps.message != "":
		return fmt.Sprintf("the OTLP receiver took %d spans with a warning: %s", len(spans), ps.message), nil
	}
	return "", nil
}

func (s *Shipper) spansToStdout(res []attr, spans []span) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	for i := range spans {
		fields := traceSpanOf(res, &spans[i]).Fields()
		m := make(map[string]string, len(fields))
		for _, f := range fields {
			m[f.Key] = f.Value
		}
		b, _ := json.Marshal(m)
		s.stdout.Write(append(b, '\n'))
	}
}

// traceSpanOf converts a span to SLS Trace's shape.
func traceSpanOf(res []attr, sp *span) slstrace.Span {
	t := slstrace.Span{TraceID: hex.EncodeToString(sp.traceID[:]), SpanID: hex.EncodeToString(sp.spanID[:]),
		Name: sp.name, Kind: slstrace.KindName(int(sp.kind)),
		Start: sp.start, End: sp.end, Attributes: attrMap(sp.attrs),
		StatusCode: statusName(sp.status), StatusMessage: sp.statusMsg}
	if sp.parentID != ([8]byte{}) {
		t.ParentSpanID = hex.EncodeToString(sp.parentID[:])
	}
	t.Resource = attrMap(res)
	t.Service, _ = t.Resource["service.name"].(string)
	t.Host, _ = t.Resource["host.name"].(string)
	delete(t.Resource, "service.name")
	delete(t.Resource, "host.name")
	for _, e := range sp.events {
		t.Logs = append(t.Logs, map[string]any{"name": e.name, "time": e.time.UnixMicro(), "attribute": attrMap(e.attrs)})
	}
	return t
}

func attrMap(attrs []attr) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		m[a.key] = a.value
	}
	return m
}

// statusName is the upper-case status SLS Trace stores.
func statusName(c statusCode) string {
	if c == statusCodeError {
		return slstrace.StatusError
	}
	return slstrace.StatusUnset
}
