package fcrt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
)

type httpEchoReply struct {
	Event    events.HTTPTriggerEvent `json:"event"` // as the SDK's struct decoded it
	BodyB64  string                  `json:"bodyB64"`
	RawEvent httpTriggerEvent        `json:"rawEvent"`
}

func startGateway(t *testing.T, fn Function, cfg GatewayConfig) *httptest.Server {
	t.Helper()
	inst := startInstance(t, fn)
	cfg.Logger = quietLogger
	srv := httptest.NewServer(NewGateway(inst, cfg))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// conformance: FC-10
func TestGatewayRoundTripOfATextRequest(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{AccountID: "1234567890123456", DomainPrefix: "trigger-1"})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/a%20b/send?a=1&a=2&b=x+y", strings.NewReader(`{"hello":"world"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("User-Agent", "fcrt-test/1.0")
	before := time.Now()
	resp, body := do(t, req)

	if resp.StatusCode != 201 || resp.Header.Get("X-Echo") != "yes" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d headers %v body %s", resp.StatusCode, resp.Header, body)
	}
	got := decode[httpEchoReply](t, body)
	ev := got.RawEvent
	rid := resp.Header.Get("X-Fc-Request-Id")
	if rid == "" || ev.RequestContext.RequestID != rid {
		t.Errorf("x-fc-request-id %q, event requestId %q", rid, ev.RequestContext.RequestID)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	checks := map[string][2]string{
		"version":         {ev.Version, "v1"},
		"rawPath":         {ev.RawPath, "/v1/a%20b/send"},
		"http.path":       {ev.RequestContext.HTTP.Path, "/v1/a b/send"},
		"http.method":     {ev.RequestContext.HTTP.Method, "POST"},
		"http.protocol":   {ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		"http.sourceIp":   {ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		"http.userAgent":  {ev.RequestContext.HTTP.UserAgent, "fcrt-test/1.0"},
		"accountId":       {ev.RequestContext.AccountID, "1234567890123456"},
		"domainPrefix":    {ev.RequestContext.DomainPrefix, "trigger-1"},
		"domainName":      {ev.RequestContext.DomainName, host},
		"query a":         {ev.QueryParameters["a"], "1,2"},
		"query b":         {ev.QueryParameters["b"], "x y"},
		"header X-Multi":  {ev.Headers["X-Multi"], "one,two"},
		"header Host":     {ev.Headers["Host"], host},
		"header Ct":       {ev.Headers["Content-Type"], "application/json"},
		"body":            {ev.Body, `{"hello":"world"}`},
		"isBase64Encoded": {strconv.FormatBool(ev.IsBase64Encoded), "false"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	sdk := got.Event
	if *sdk.Version != "v1" || *sdk.TriggerContext.Http.Method != "POST" || *sdk.TriggerContext.RequestId != rid ||
		(*sdk.Headers)["X-Multi"] != "one,two" || (*sdk.QueryParameters)["a"] != "1,2" || *sdk.Body != `{"hello":"world"}` {
		t.Errorf("the SDK's events.HTTPTriggerEvent decoded differently: %+v", sdk)
	}
	ts, err := time.Parse(time.RFC3339, ev.RequestContext.Time)
	if err != nil || !strings.HasSuffix(ev.RequestContext.Time, "Z") {
		t.Errorf("time %q: %v", ev.RequestContext.Time, err)
	}
	epoch, _ := strconv.ParseInt(ev.RequestContext.TimeEpoch, 10, 64)
	if epoch < before.UnixMilli() || epoch > time.Now().UnixMilli() || ts.Unix() != epoch/1000 {
		t.Errorf("timeEpoch %d / time %v not the request time", epoch, ts)
	}
}

// conformance: FC-10, FC-11
func TestGatewayBinaryBodyBothWays(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{})
	payload := []byte{0, 1, 2, 0xff, 0xfe, 'a'}
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/blob?reply=binary", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, body := do(t, req)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	want := []byte{'a', 0xfe, 0xff, 2, 1, 0}
	if !bytes.Equal(body, want) {
		t.Errorf("body %v, want the request reversed %v", body, want)
	}

	// The event itself carried the bytes base64-encoded.
	req, _ = http.NewRequest(http.MethodPut, srv.URL+"/blob", bytes.NewReader(payload))
	req.Header.Set("Content-Type", "image/png")
	_, body = do(t, req)
	got := decode[httpEchoReply](t, body)
	if !got.RawEvent.IsBase64Encoded || got.RawEvent.Body != base64.StdEncoding.EncodeToString(payload) {
		t.Errorf("binary event body %q base64=%v", got.RawEvent.Body, got.RawEvent.IsBase64Encoded)
	}
}

// conformance: FC-11
func TestGatewayBase64AlwaysEncodesText(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{BodyEncoding: Base64Always})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	_, body := do(t, req)
	got := decode[httpEchoReply](t, body)
	if !got.RawEvent.IsBase64Encoded || got.RawEvent.Body != base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)) {
		t.Errorf("event body %q base64=%v", got.RawEvent.Body, got.RawEvent.IsBase64Encoded)
	}
	if got.BodyB64 != base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)) {
		t.Errorf("function decoded %q", got.BodyB64)
	}
}

// conformance: FC-08
func TestGatewayFunctionFailures(t *testing.T) {
	fn := testFunction(t)
	fn.Timeout = time.Second
	// A pool: the instance recycled after the timeout is replaced, as on FC.
	srv := httptest.NewServer(NewGateway(startPool(t, fn, 1), GatewayConfig{Logger: quietLogger}))
	t.Cleanup(srv.Close)

	cases := []struct{ query, message string }{
		{"fail=error", "http boom"},
		{"fail=panic", "http kaboom"},
		{"fail=sleep", "Function timed out after 1 seconds"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?"+c.query, nil)
		resp, body := do(t, req)
		if resp.StatusCode != http.StatusBadGateway || resp.Header.Get("X-Fc-Error-Type") != "UnhandledInvocationError" ||
			resp.Header.Get("X-Fc-Request-Id") == "" {
			t.Errorf("%s: status %d headers %v", c.query, resp.StatusCode, resp.Header)
		}
		var fe FunctionError
		if err := json.Unmarshal(body, &fe); err != nil || fe.Message != c.message {
			t.Errorf("%s: body %s, want errorMessage %q", c.query, body, c.message)
		}
	}
	// The function answers after all three.
	resp, _ := do(t, mustRequest(t, http.MethodGet, srv.URL+"/ok"))
	if resp.StatusCode != 201 {
		t.Errorf("after failures: status %d", resp.StatusCode)
	}
}

// conformance: FC-10
func TestGatewayPlainResultIsInferred(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{})
	resp, body := do(t, mustRequest(t, http.MethodGet, srv.URL+"/?reply=plain"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || string(body) != `{"plain":"result"}` {
		t.Errorf("status %d ct %q body %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestGatewayRefusesOversizedBodies(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{MaxBodyBytes: 8})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("123456789"))
	resp, body := do(t, req)
	if resp.StatusCode != 400 || resp.Header.Get("X-Fc-Error-Type") != "FcCommonError" || !strings.Contains(string(body), "EntityTooLarge") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// conformance: FC-11
func TestIsTextBody(t *testing.T) {
	cases := []struct {
		ct   string
		body []byte
		want bool
	}{
		{"application/json; charset=utf-8", []byte(`{}`), true},
		{"text/plain", []byte("hi"), true},
		{"application/vnd.api+json", []byte(`{}`), true},
		{"application/x-www-form-urlencoded", []byte("a=1"), true},
		{"application/octet-stream", []byte("hi"), false},
		{"", []byte("hi"), false},
		{"text/plain", []byte{0xff, 0xfe}, false},
	}
	for _, c := range cases {
		if got := isTextBody(c.ct, c.body); got != c.want {
			t.Errorf("isTextBody(%q, %q) = %v", c.ct, c.body, got)
		}
	}
}
