package obs

import (
	"bytes"
	"context"
	"errors"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
	"google.golang.org/protobuf/proto"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slstrace"
	"smsflow/shared/text"
	"smsflow/shared/trace"
)

// answers serves the given answers in turn (the last one again once they
// run out) and counts the requests.
type answers struct {
	n    atomic.Int32
	list []func(w http.ResponseWriter)
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	i := int(a.n.Add(1)) - 1
	a.list[min(i, len(a.list)-1)](w)
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

func poster(url string, bound time.Duration) *otlpPoster {
	return &otlpPoster{client: &http.Client{Timeout: bound}, url: url, bound: bound}
}

// The OTLP/HTTP specification retries 429, 502, 503, 504 (and a request
// that got no answer), and no other status.
// conformance: OT-09
func TestOTLPRetriesOnlyWhatTheSpecificationRetries(t *testing.T) {
	for _, tc := range []struct {
		code     int
		attempts int32
	}{
		{http.StatusTooManyRequests, 3}, {http.StatusBadGateway, 3}, {http.StatusServiceUnavailable, 3}, {http.StatusGatewayTimeout, 3},
		{http.StatusBadRequest, 1}, {http.StatusUnauthorized, 1}, {http.StatusNotFound, 1},
		{http.StatusRequestEntityTooLarge, 1}, {http.StatusInternalServerError, 1},
	} {
		a := &answers{list: []func(http.ResponseWriter){status(tc.code), status(tc.code), status(http.StatusOK)}}
		hs := httptest.NewServer(a)
		_, err := poster(hs.URL+"/v1/traces", 5*time.Second).post(context.Background(), []byte{})
		hs.Close()
		if a.n.Load() != tc.attempts {
			t.Errorf("HTTP %d: %d attempts, want %d", tc.code, a.n.Load(), tc.attempts)
		}
		if (tc.attempts == 1) != (err != nil) {
			t.Errorf("HTTP %d: err %v", tc.code, err)
		}
		var se *statusError
		if tc.attempts == 1 && (!errors.As(err, &se) || se.status != tc.code) {
			t.Errorf("HTTP %d: error %v does not say the status", tc.code, err)
		}
	}
}

// A connection dropped without an answer is retried.
// conformance: OT-09
func TestOTLPRetriesADroppedConnection(t *testing.T) {
	var n atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer hs.Close()
	if _, err := poster(hs.URL, 5*time.Second).post(context.Background(), []byte{}); err != nil || n.Load() != 2 {
		t.Fatalf("%d attempts, err %v; want 2 and success", n.Load(), err)
	}
}

// Retry-After is waited for when the bound allows it, and when it does
// not, the export gives up at once instead of waiting past the bound.
// conformance: OT-09
func TestOTLPRetryAfterIsHonouredWithinTheBound(t *testing.T) {
	var times []time.Time
	var mu sync.Mutex
	a := &answers{list: []func(http.ResponseWriter){status(http.StatusServiceUnavailable, "Retry-After", "1"), status(http.StatusOK)}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		a.ServeHTTP(w, r)
	}))
	defer hs.Close()
	if _, err := poster(hs.URL, 5*time.Second).post(context.Background(), []byte{}); err != nil || len(times) != 2 {
		t.Fatalf("%d attempts, err %v", len(times), err)
	}
	// Our own backoff starts at 20ms: only Retry-After makes it a second.
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %s, Retry-After said 1s", gap)
	}

	far := &answers{list: []func(http.ResponseWriter){status(http.StatusTooManyRequests, "Retry-After", "30")}}
	hs2 := httptest.NewServer(far)
	defer hs2.Close()
	began := time.Now()
	_, err := poster(hs2.URL, 300*time.Millisecond).post(context.Background(), []byte{})
	if err == nil || far.n.Load() != 1 || !strings.Contains(err.Error(), "429") {
		t.Fatalf("%d attempts, err %v; want 1 attempt and the 429", far.n.Load(), err)
	}
	if waited := time.Since(began); waited > 10*time.Second {
		t.Errorf("waited %s for a Retry-After past the 300ms bound", waited)
	}
}

func TestRetryAfterForms(t *testing.T) {
	if d, ok := retryAfter("7"); !ok || d != 7*time.Second {
		t.Errorf("seconds: %s %v", d, ok)
	}
	if d, ok := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); !ok || d < 59*time.Minute {
		t.Errorf("HTTP date: %s %v", d, ok)
	}
	for _, bad := range []string{"", "-1", "soon", "1e9"} {
		if _, ok := retryAfter(bad); ok {
			t.Errorf("%q read as a delay", bad)
		}
	}
}

// A hostile or broken receiver answering a huge, binary or forged body
// puts at most a short, escaped excerpt of it into the error and into
// what the shipper writes to stdout.
func TestOTLPRefusalBodyIsABoundedExcerpt(t *testing.T) {
	huge := bytes.Repeat([]byte("A"), 8<<20)
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(i)
	}
	forged := []byte("bad span\n{\"level\":\"ERROR\",\"event\":\"forged\"}\x1b[2J\u202e")
	for name, body := range map[string][]byte{"huge": huge, "binary": binary, "forged": forged} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(http.StatusBadRequest)
			w.Write(body)
		}))
		_, err := poster(hs.URL, 2*time.Second).post(context.Background(), []byte{})
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if len(err.Error()) > 4*maxExcerpt+100 {
			t.Errorf("%s: error of %d bytes", name, len(err.Error()))
		}
		if _, _, bad := text.FirstUnfit(err.Error()); bad || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error holds unprintable text: %q", name, err.Error())
		}

		var stdout bytes.Buffer
		shipper := NewShipper(config.Logs{OTLP: config.OTLP{Endpoint: hs.URL + "/v1/traces", Timeout: 2 * time.Second}},
			"send", creds.NewSource(false), &stdout)
		ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("", ""), trace.NewRoot())))
		NewLogger(shipper).LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
		shipper.Flush(ctx)
		hs.Close()
		for _, line := range strings.Split(stdout.String(), "\n") {
			if strings.Contains(line, "OTLP") && len(line) > 4*maxExcerpt+400 {
				t.Errorf("%s: a diagnostic of %d bytes: %.300q", name, len(line), line)
			}
		}
		if shipper.Failures.Load() != 1 || strings.Contains(stdout.String(), `"event":"forged"`) {
			t.Errorf("%s: failures %d, stdout %.500q", name, shipper.Failures.Load(), stdout.String())
		}
	}
}

// The refusal's google.rpc.Status message (field 2) is what the error says.
// conformance: OT-09
func TestOTLPRefusalQuotesTheStatusMessage(t *testing.T) {
	// Status{code: 3, message: "span name too long"} encoded by hand.
	msg := "span name too long"
	body := append([]byte{0x08, 0x03, 0x12, byte(len(msg))}, msg...)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentTypeProto)
		w.WriteHeader(http.StatusBadRequest)
		w.Write(body)
	}))
	defer hs.Close()
	_, err := poster(hs.URL, time.Second).post(context.Background(), []byte{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 400: span name too long") {
		t.Fatalf("error %v", err)
	}
}

// The role's credentials arrive as SLS Trace's headers, with the
// configured ones, our content type and user agent, and a body that is an
// ExportTraceServiceRequest; and a receiver echoing them back (in a
// refusal or in a partial success, whole or cut in two by the excerpt)
// never gets them into an error or onto stdout.
// conformance: OT-02, OT-08
func TestOTLPSendsRoleCredentialsAndNeverQuotesThem(t *testing.T) {
	for _, answer := range []string{"refusal", "cut", "partial"} {
		bctx := NewBatch(WithInvocation(trace.NewContext(fcContext("", ""), trace.NewRoot())))
		role, err := creds.NewSource(false).Get(bctx)
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{role.AccessKeyID, role.AccessKeySecret, role.SecurityToken, "configured-token-123"}
		var got http.Header
		var reqs []*tracepb.TracesData
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Clone()
			b, _ := io.ReadAll(r.Body)
			req := &tracepb.TracesData{}
			if err := proto.Unmarshal(b, req); err != nil {
				t.Errorf("body: %v", err)
			}
			reqs = append(reqs, req)
			echo := "echo " + strings.Join([]string{r.Header.Get(slstrace.HeaderAKID), r.Header.Get(slstrace.HeaderAKSecret),
				r.Header.Get(slstrace.HeaderToken), r.Header.Get("Authorization")}, " ")
			switch answer {
			case "refusal":
				http.Error(w, echo, http.StatusUnauthorized)
			case "cut": // the secret straddles the excerpt's end
				http.Error(w, strings.Repeat("x", maxExcerpt-10)+r.Header.Get(slstrace.HeaderAKSecret), http.StatusForbidden)
			case "partial": // ExportTraceServiceResponse{partial_success{rejected_spans: 1, error_message: echo}}
				inner := append([]byte{0x08, 0x01, 0x12}, protoLen(len(echo))...)
				inner = append(inner, echo...)
				w.Header().Set("Content-Type", contentTypeProto)
				w.Write(append(append([]byte{0x0a}, protoLen(len(inner))...), inner...))
			}
		}))
		var stdout bytes.Buffer
		cfg := config.Logs{OTLP: config.OTLP{Endpoint: hs.URL + "/opentelemetry/v1/traces", SLSAuth: true, Timeout: 2 * time.Second,
			Headers: "x-sls-otel-project=p,x-sls-otel-instance-id=smsflow,authorization=configured-token-123"}}
		shipper := NewShipper(cfg, "send", creds.NewSource(false), &stdout)
		NewLogger(shipper).LogAttrs(bctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
		shipper.Flush(bctx)
		_, exportErr := shipper.spans.deliver(bctx, nil, nil)
		hs.Close()

		if got.Get(slstrace.HeaderAKID) != role.AccessKeyID || got.Get(slstrace.HeaderAKSecret) != role.AccessKeySecret ||
			got.Get(slstrace.HeaderToken) != role.SecurityToken || got.Get("X-Sls-Otel-Project") != "p" ||
			got.Get("Authorization") != "configured-token-123" || got.Get("Content-Type") != contentTypeProto ||
			got.Get("User-Agent") != otlpUserAgent {
			t.Errorf("%s: headers %v", answer, got)
		}
		if len(reqs) == 0 || len(reqs[0].ResourceSpans) != 1 || len(reqs[0].ResourceSpans[0].ScopeSpans[0].Spans) != 1 {
			t.Errorf("%s: requests %v", answer, reqs)
		}
		if shipper.Failures.Load() != 1 || exportErr == nil {
			t.Errorf("%s: failures %d, error %v; the receiver refused or rejected spans", answer, shipper.Failures.Load(), exportErr)
		}
		for _, where := range []string{stdout.String(), exportErr.Error()} {
			if s, ok := quotesAPiece(where, secrets); ok {
				t.Errorf("%s: quotes a piece of %q: %s", answer, s, where)
			}
		}
	}
}

// quotesAPiece says whether text holds 8 characters in a row of a secret.
func quotesAPiece(text string, secrets []string) (string, bool) {
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(text, s[i:i+8]) {
				return s, true
			}
		}
	}
	return "", false
}

func protoLen(n int) []byte {
	var b []byte
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}

// A partial success is never retried. Rejected spans fall back to stdout
// (the answer does not say which, so all of them); a warning with nothing
// rejected is logged and the export counts as done.
// conformance: OT-09
func TestOTLPPartialSuccess(t *testing.T) {
	for _, tc := range []struct {
		rejected byte
		failures int64
	}{{2, 1}, {0, 0}} {
		msg := "span.name too long"
		inner := append([]byte{0x08, tc.rejected, 0x12, byte(len(msg))}, msg...)
		if tc.rejected == 0 {
			inner = inner[2:] // rejected_spans 0 is not on the wire
		}
		var n atomic.Int32
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Content-Type", contentTypeProto)
			w.Write(append([]byte{0x0a, byte(len(inner))}, inner...))
		}))
		var stdout bytes.Buffer
		shipper := NewShipper(config.Logs{OTLP: config.OTLP{Endpoint: hs.URL, Timeout: 2 * time.Second}}, "send", creds.NewSource(false), &stdout)
		span := trace.NewRoot()
		ctx := NewBatch(WithInvocation(trace.NewContext(fcContext("", ""), span)))
		NewLogger(shipper).LogAttrs(ctx, slog.LevelInfo, EventResult, slog.String(KeyStatus, "accepted"))
		shipper.Flush(ctx)
		hs.Close()
		out := stdout.String()
		if n.Load() != 1 || shipper.Failures.Load() != tc.failures || !strings.Contains(out, msg) {
			t.Errorf("rejected %d: %d attempts, %d failures, stdout %s", tc.rejected, n.Load(), shipper.Failures.Load(), out)
		}
		if spanOnStdout := strings.Contains(out, `"`+slstrace.FieldSpanID+`":"`+span.SpanIDString()); spanOnStdout != (tc.rejected > 0) {
			t.Errorf("rejected %d: span on stdout %v: %s", tc.rejected, spanOnStdout, out)
		}
	}
}

// An export that cannot get the role's credentials never leaves: it is
// not a request without an answer, and retrying it would only spend the
// invocation's bound.
// conformance: OT-09
func TestOTLPWithoutCredentialsIsNotRetried(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
	var got atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer hs.Close()
	x, err := newSpanExporter(config.OTLP{Endpoint: hs.URL, SLSAuth: true, Timeout: 5 * time.Second}, "send", creds.NewSource(false))
	if err != nil {
		t.Fatal(err)
	}
	// A role whose credentials have no token: refused (ErrLongLived).
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: "LTAIlonglived", AccessKeySecret: "long-lived-secret"}})
	began := time.Now()
	_, err = x.deliver(ctx, nil, nil)
	if !errors.Is(err, errCredentials) || got.Load() != 0 {
		t.Fatalf("err %v, %d requests", err, got.Load())
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("retried for %s of the 5s bound", took)
	}
	if strings.Contains(err.Error(), "long-lived-secret") {
		t.Errorf("error quotes the secret: %v", err)
	}
}
