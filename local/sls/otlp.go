package sls

import (
	"compress/gzip"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"smsflow/local/sts"
	"smsflow/shared/slstrace"
)

// serveOTLP (at slstrace.Path, conformance OT-01) accepts an OTLP/HTTP ExportTraceServiceRequest, protobuf or
// JSON, authenticated the SLS Trace way: x-sls-otel-* headers instead of a
// signature (conformance OT-02).
func (s *Server) serveOTLP(w http.ResponseWriter, r *http.Request, hostProject string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "OTLP traces are POSTed", http.StatusMethodNotAllowed)
		return
	}
	project, instance := r.Header.Get(slstrace.HeaderProject), r.Header.Get(slstrace.HeaderInstanceID)
	if project == "" || instance == "" {
		http.Error(w, "x-sls-otel-project and x-sls-otel-instance-id are required", http.StatusBadRequest)
		return
	}
	if hostProject != "" && hostProject != project {
		http.Error(w, fmt.Sprintf("x-sls-otel-project %q does not match the endpoint's project %q", project, hostProject), http.StatusBadRequest)
		return
	}
	if msg := s.otlpAuth(r); msg != "" {
		http.Error(w, msg, http.StatusUnauthorized)
		return
	}
	ok, err := s.projectExists(r.Context(), project)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	logstore := slstrace.Logstore(instance)
	if ok {
		_, err = s.getLogstore(r.Context(), project, logstore)
	}
	if !ok || err != nil {
		http.Error(w, fmt.Sprintf("trace instance %q of project %q does not exist (no logstore %s)", instance, project, logstore), http.StatusNotFound)
		return
	}
	req, jsonBody, err := decodeOTLP(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	group := &slssdk.LogGroup{Topic: proto.String(""), Source: proto.String(""), Logs: spansToLogs(req)}
	if len(group.Logs) > 0 {
		defer s.ingest.kick()
		if err := s.ingest.accept(pendingGroup{project, logstore, 0, group}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	// The OTLP/HTTP answer: an empty ExportTraceServiceResponse (everything
	// accepted, no partial_success) in the request's encoding: no bytes in
	// protobuf, {} in JSON.
	if jsonBody {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "{}")
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

// otlpAuth checks the AccessKey pair (and STS token) the headers carry
// against the local STS; "" means authenticated.
func (s *Server) otlpAuth(r *http.Request) string {
	ak, secret := r.Header.Get(slstrace.HeaderAKID), r.Header.Get(slstrace.HeaderAKSecret)
	if ak == "" || secret == "" {
		return "x-sls-otel-ak-id and x-sls-otel-ak-secret are required"
	}
	want, err := sts.SecretFor(ak)
	if err != nil || want != secret {
		return "the AccessKey id or secret is invalid"
	}
	if err := sts.Verify(ak, r.Header.Get(slstrace.HeaderToken), s.now()); err != nil {
		if errors.Is(err, sts.ErrTokenExpired) {
			return "the security token has expired"
		}
		return "the security token is invalid"
	}
	return ""
}

func decodeOTLP(r *http.Request) (*tracepb.TracesData, bool, error) {
	var body io.Reader = io.LimitReader(r.Body, maxBodyBytes+1)
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(body)
		if err != nil {
			return nil, false, fmt.Errorf("gzip body: %w", err)
		}
		body = io.LimitReader(gz, maxBodyBytes+1)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, false, fmt.Errorf("read body: %w", err)
	}
	if len(raw) > maxBodyBytes {
		return nil, false, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	}
	// TracesData is OTLP's own wire twin of ExportTraceServiceRequest (both
	// are field 1, repeated ResourceSpans; trace.proto says the request
	// must follow TracesData): decoding it keeps the collector package,
	// and gRPC with it, out of the module.
	req := &tracepb.TracesData{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-protobuf":
		err = proto.Unmarshal(raw, req)
	case "application/json":
		err = protojson.Unmarshal(raw, req)
	default:
		return nil, false, fmt.Errorf("Content-Type %q: OTLP/HTTP is application/x-protobuf or application/json", mt)
	}
	if err != nil {
		return nil, false, fmt.Errorf("decode ExportTraceServiceRequest: %w", err)
	}
	return req, mt == "application/json", nil
}

// spansToLogs lays each span out with SLS Trace's field names.
func spansToLogs(req *tracepb.TracesData) []*slssdk.Log {
	var logs []*slssdk.Log
	for _, rs := range req.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		service, _ := res["service.name"].(string)
		host, _ := res["host.name"].(string)
		delete(res, "service.name")
		delete(res, "host.name")
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				ts := slstrace.Span{TraceID: hex.EncodeToString(sp.GetTraceId()), SpanID: hex.EncodeToString(sp.GetSpanId()),
					ParentSpanID: hex.EncodeToString(sp.GetParentSpanId()), TraceState: sp.GetTraceState(),
					Name: sp.GetName(), Kind: slstrace.KindName(int(sp.GetKind())), Service: service, Host: host,
					Start: time.Unix(0, int64(sp.GetStartTimeUnixNano())), End: time.Unix(0, int64(sp.GetEndTimeUnixNano())),
					Attributes: attrs(sp.GetAttributes()), Resource: res,
					StatusCode: statusOf(sp.GetStatus().GetCode()), StatusMessage: sp.GetStatus().GetMessage()}
				for _, e := range sp.GetEvents() {
					ts.Logs = append(ts.Logs, map[string]any{"name": e.GetName(),
						"time": int64(e.GetTimeUnixNano()) / 1000, "attribute": attrs(e.GetAttributes())})
				}
				logs = append(logs, spanLog(ts))
			}
		}
	}
	return logs
}

func spanLog(ts slstrace.Span) *slssdk.Log {
	fields := ts.Fields()
	contents := make([]*slssdk.LogContent, 0, len(fields))
	for _, f := range fields {
		contents = append(contents, &slssdk.LogContent{Key: proto.String(f.Key), Value: proto.String(f.Value)})
	}
	// The log's time is the span's start (seconds), as SLS Trace stamps it.
	sec, ns := uint32(ts.Start.Unix()), uint32(ts.Start.Nanosecond())
	return &slssdk.Log{Time: &sec, TimeNs: &ns, Contents: contents}
}

func statusOf(c tracepb.Status_StatusCode) string {
	switch c {
	case tracepb.Status_STATUS_CODE_OK:
		return slstrace.StatusOK
	case tracepb.Status_STATUS_CODE_ERROR:
		return slstrace.StatusError
	default:
		return slstrace.StatusUnset
	}
}

func attrs(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return m
}

func anyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_BytesValue:
		return hex.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		out := make([]any, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, anyValue(e))
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		return attrs(x.KvlistValue.GetValues())
	}
	return nil
}

// EnsureTraceInstance creates what creating an SLS Trace instance creates
// (as far as OTLP ingestion needs): the `{instance}-traces` logstore with
// its index.
func (s *Server) EnsureTraceInstance(project, instance string) error {
	if err := s.EnsureLogstore(project, slstrace.Logstore(instance)); err != nil {
		return err
	}
	return s.EnsureIndex(project, slstrace.Logstore(instance), traceIndex())
}
