package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/sms"
)

const testToken = "test-token"

// recordingSender stands in for shared/sms in these unit tests of the HTTP
// mapping; the end-to-end tests drive the real sender against the emulator.
type recordingSender struct {
	calls   atomic.Int32
	outcome sms.Outcome
	last    sms.Request
	panics  bool
}

func (s *recordingSender) Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	s.calls.Add(1)
	s.last = req
	if s.panics {
		panic("boom")
	}
	a := sms.Attempt{Number: 1, Start: time.Now(), Latency: 3 * time.Millisecond, Outcome: s.outcome}
	hook(ctx, a)
	return s.outcome, []sms.Attempt{a}
}

func tokenHash(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

func newTestHandler(t *testing.T, s *recordingSender, logs *bytes.Buffer) *Handler {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return New(Options{
		Sender: s,
		Auth:   config.HTTPAuth{TriggerAuth: "anonymous", TokenSHA256: []string{tokenHash(testToken)}, MaxBodyBytes: 65536},
		Logger: obs.NewLogger(obs.NewShipper(config.Logs{}, "send", creds.NewSource(true), logs)),
		Hasher: phone.NewHasher([]byte("k")),
	})
}

func post(h http.Handler, contentType, body string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type errorReply struct {
	Status string `json:"status"`
	Error  struct {
		Code, Message, Field string
		UpstreamCode         string `json:"upstream_code"`
	} `json:"error"`
	TraceID string `json:"trace_id"`
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) errorReply {
	t.Helper()
	var e errorReply
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body is not JSON: %q", w.Body.String())
	}
	return e
}

const okBody = `{"phone_numbers":["13800138000"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"482913"},"out_id":"order-1"}`

// BadRequest is one row of testdata/bad_requests.json, shared with the
// end-to-end tests.
type BadRequest struct {
	Name, ContentType, Body, Code, Field string
	Status                               int
}

func loadBadRequests(t *testing.T) []BadRequest {
	raw, err := os.ReadFile("testdata/bad_requests.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Body        string `json:"body"`
		Status      int    `json:"status"`
		Code        string `json:"code"`
		Field       string `json:"field"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	out := make([]BadRequest, len(rows))
	for i, r := range rows {
		out[i] = BadRequest{r.Name, r.ContentType, r.Body, r.Code, r.Field, r.Status}
	}
	return out
}

func TestBadRequestsAreRefusedAndNothingIsSent(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	h := newTestHandler(t, s, nil)
	rows := loadBadRequests(t)
	if len(rows) < 30 {
		t.Fatalf("only %d bad requests in the table", len(rows))
	}
	for _, c := range rows {
		w := post(h, c.ContentType, c.Body)
		e := decodeError(t, w)
		if w.Code != c.Status || e.Error.Code != c.Code || e.Error.Field != c.Field {
			t.Errorf("%s: got %d %s field %q (%s); want %d %s field %q", c.Name, w.Code, e.Error.Code, e.Error.Field, e.Error.Message, c.Status, c.Code, c.Field)
		}
		if e.TraceID == "" || e.Error.Message == "" {
			t.Errorf("%s: reply lacks trace id or message: %s", c.Name, w.Body)
		}
	}
	if n := s.calls.Load(); n != 0 {
		t.Fatalf("bad requests reached the sender %d times", n)
	}
}

func TestInvalidUTF8IsRefused(t *testing.T) {
	s := &recordingSender{}
	w := post(newTestHandler(t, s, nil), "application/json", "{\"sign_name\":\"\xff\"}")
	if e := decodeError(t, w); w.Code != 400 || e.Error.Code != CodeMalformedJSON || s.calls.Load() != 0 {
		t.Fatalf("got %d %+v", w.Code, e)
	}
}

func TestAcceptedSendAnswersBizIDAndTrace(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted, BizID: "900619746936498440^0", RequestID: "RID-1", HTTPStatus: 200, Code: "OK"}}
	var logs bytes.Buffer
	h := newTestHandler(t, s, &logs)
	parent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	w := post(h, "application/json", okBody, "traceparent", parent)
	var got map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
		t.Fatalf("reply %d %s", w.Code, w.Body)
	}
	if got["status"] != "accepted" || got["biz_id"] != "900619746936498440^0" || got["upstream_request_id"] != "RID-1" ||
		got["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("reply %v", got)
	}
	if w.Header().Get("X-Trace-Id") != got["trace_id"] || !strings.HasPrefix(w.Header().Get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-") {
		t.Fatalf("trace headers %v", w.Header())
	}
	if s.last.Numbers[0].Upstream() != "13800138000" || s.last.TemplateParams["code"] != "482913" || s.last.OutID != "order-1" {
		t.Fatalf("sender got %+v", s.last)
	}
	events := parseLogs(t, &logs)
	names := []string{}
	for _, e := range events {
		names = append(names, e["event"].(string))
		if e["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("event %v lacks the trace id", e["event"])
		}
	}
	if strings.Join(names, ",") != "sms.request,sms.attempt,sms.result" {
		t.Fatalf("events = %v", names)
	}
	if events[1]["parent_span_id"] != events[0]["span_id"] || events[1]["span_id"] == events[0]["span_id"] {
		t.Errorf("attempt is not a child span of the request: %v / %v", events[0], events[1])
	}
	if events[0]["parent_span_id"] != "00f067aa0ba902b7" {
		t.Errorf("request span does not continue the caller's: %v", events[0]["parent_span_id"])
	}
	if r := events[2]; r["status"] != "accepted" || r["http_status"] != "200" || r["phone_masked"] != "138****8000" || r["template_param_keys"] != "code" {
		t.Errorf("result event %v", r)
	}
	if strings.Contains(logs.String(), "13800138000") || strings.Contains(logs.String(), "482913") {
		t.Fatalf("logs leak the number or the code:\n%s", logs.String())
	}
}

func parseLogs(t *testing.T, b *bytes.Buffer) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func TestOutcomeMapping(t *testing.T) {
	cases := []struct {
		out         sms.Outcome
		status      int
		code, field string
		retryAfter  string
		replyStatus string
	}{
		{sms.Outcome{Status: sms.StatusRejected, Class: sms.ClassCaller, Code: "isv.MOBILE_NUMBER_ILLEGAL"}, 422, CodeUpstreamRejected, "phone_numbers", "", ""},
		{sms.Outcome{Status: sms.StatusRejected, Class: sms.ClassCaller, Code: "isv.TEMPLATE_MISSING_PARAMETERS"}, 422, CodeUpstreamRejected, "template_params", "", ""},
		{sms.Outcome{Status: sms.StatusRejected, Class: sms.ClassCaller, Code: "isv.SMS_SIGNATURE_ILLEGAL"}, 422, CodeUpstreamRejected, "sign_name", "", ""},
		{sms.Outcome{Status: sms.StatusRejected, Class: sms.ClassCaller, Code: "isv.SMS_TEMPLATE_ILLEGAL"}, 422, CodeUpstreamRejected, "template_code", "", ""},
		{sms.Outcome{Status: sms.StatusThrottled, Class: sms.ClassFlowControl, Code: "isv.BUSINESS_LIMIT_CONTROL", RetryAfter: time.Minute}, 429, CodeThrottled, "", "60", ""},
		{sms.Outcome{Status: sms.StatusThrottled, Class: sms.ClassThrottling, Code: "Throttling.Api", RetryAfter: 1500 * time.Millisecond}, 429, CodeThrottled, "", "2", ""},
		{sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassTransient, Code: "isp.SYSTEM_ERROR"}, 503, CodeUpstreamUnavail, "", "1", ""},
		{sms.Outcome{Status: sms.StatusUnknown, Class: sms.ClassAmbiguous}, 504, CodeOutcomeUnknown, "", "", "unknown"},
		{sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassCredentials, Code: "SignatureDoesNotMatch"}, 502, CodeUpstreamCreds, "", "", ""},
		{sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassAccount, Code: "isv.AMOUNT_NOT_ENOUGH"}, 502, CodeUpstreamAccount, "", "", ""},
		{sms.Outcome{Status: sms.StatusFailed, Class: sms.ClassUpstream, Code: "Weird"}, 502, CodeUpstreamError, "", "", ""},
	}
	for _, c := range cases {
		s := &recordingSender{outcome: c.out}
		w := post(newTestHandler(t, s, nil), "application/json", okBody)
		e := decodeError(t, w)
		if w.Code != c.status || e.Error.Code != c.code || e.Error.Field != c.field || e.Error.UpstreamCode != c.out.Code ||
			w.Header().Get("Retry-After") != c.retryAfter || e.Status != c.replyStatus {
			t.Errorf("%s/%s: got %d %+v Retry-After %q", c.out.Status, c.out.Code, w.Code, e, w.Header().Get("Retry-After"))
		}
	}
}

func TestAuthentication(t *testing.T) {
	s := &recordingSender{outcome: sms.Outcome{Status: sms.StatusAccepted}}
	h := newTestHandler(t, s, nil)
	for name, header := range map[string]string{"none": "", "wrong token": "Bearer nope", "basic": "Basic " + testToken, "empty bearer": "Bearer "} {
		r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(okBody))
		r.Header.Set("Content-Type", "application/json")
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 401 || decodeError(t, w).Error.Code != CodeUnauthenticated || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: got %d %s", name, w.Code, w.Body)
		}
	}
	if s.calls.Load() != 0 {
		t.Fatal("an unauthenticated request was sent")
	}
	// Neither tokens nor a signing trigger: nobody sends.
	open := New(Options{Sender: s, Auth: config.HTTPAuth{TriggerAuth: "anonymous"}})
	if w := post(open, "application/json", okBody); w.Code != 503 || decodeError(t, w).Error.Code != CodeAuthNotConfigured {
		t.Errorf("unconfigured auth: got %d %s", w.Code, w.Body)
	}
	// Behind authType: function, FC has verified the caller.
	signed := New(Options{Sender: s, Auth: config.HTTPAuth{TriggerAuth: "function"}})
	r := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(okBody))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	signed.ServeHTTP(w, r)
	if w.Code != 200 || s.calls.Load() != 1 {
		t.Errorf("function-authenticated trigger: got %d %s", w.Code, w.Body)
	}
}

func TestRoutes(t *testing.T) {
	h := newTestHandler(t, &recordingSender{}, nil)
	cases := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/healthz", 200, "", ""},
		{"POST", "/healthz", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", "/v1/messages", 405, CodeMethodNotAllowed, "POST"},
		{"DELETE", "/v1/messages", 405, CodeMethodNotAllowed, "POST"},
		{"GET", "/v2/messages", 404, CodeNotFound, ""},
		{"POST", "/", 404, CodeNotFound, ""},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != c.status || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: got %d Allow %q", c.method, c.path, w.Code, w.Header().Get("Allow"))
		}
		if c.code != "" && decodeError(t, w).Error.Code != c.code {
			t.Errorf("%s %s: code %s", c.method, c.path, w.Body)
		}
	}
}

func TestPanicStillLogsAResult(t *testing.T) {
	var logs bytes.Buffer
	s := &recordingSender{panics: true}
	w := post(newTestHandler(t, s, &logs), "application/json", okBody)
	if w.Code != 500 || decodeError(t, w).Error.Code != CodeInternal {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	events := parseLogs(t, &logs)
	last := events[len(events)-1]
	if last["event"] != "sms.result" || last["http_status"] != "500" {
		t.Fatalf("last event %v", last)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(okBody))
	f.Add([]byte(`{"phone_numbers":["+85261234567","13800138000"],"sign_name":"s","template_code":"SMS_1"}`))
	f.Add([]byte(`{"phone_numbers":[],"template_params":{"a":"b"}}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := ParseRequest(body)
		if err != nil {
			if err.Status != 400 || err.Code == "" || err.Message == "" {
				t.Fatalf("refusal without status/code/message: %+v", err)
			}
			// A refusal never echoes a phone-number-like value.
			for _, d := range digitsRuns(string(body)) {
				if len(d) >= 7 && strings.Contains(err.Message, d) {
					t.Fatalf("message %q echoes %q", err.Message, d)
				}
			}
			return
		}
		if len(req.Numbers) == 0 || len(req.Numbers) > MaxNumbers || req.SignName == "" || !templateCodePattern.MatchString(req.TemplateCode) {
			t.Fatalf("accepted an invalid request: %+v", req)
		}
		for _, n := range req.Numbers {
			if !n.Valid() {
				t.Fatal("accepted an invalid number")
			}
		}
	})
}

func digitsRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}
