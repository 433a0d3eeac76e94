package fchttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"
)

func TestRoundTrip(t *testing.T) {
	raw := `{"version":"v1","rawPath":"/v1/echo","headers":{"Content-Type":"application/octet-stream","X-Multi":"a,b"},
	"queryParameters":{"q":"1,2"},"body":"` + base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}) + `","isBase64Encoded":true,
	"requestContext":{"accountId":"123","domainName":"x.fcapp.run","requestId":"r-1","http":{"method":"PUT","path":"/v1/echo","protocol":"HTTP/1.1","sourceIp":"10.0.0.1","userAgent":"curl"}}}`
	var ev events.HTTPTriggerEvent
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		t.Fatal(err)
	}
	var seen *http.Request
	var seenBody []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		seenBody, _ = io.ReadAll(r.Body)
		w.Header().Add("X-Out", "1")
		w.Header().Add("X-Out", "2")
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte{9, 8, 0xfe})
	})
	resp, err := Handler(h)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "PUT" || seen.URL.Path != "/v1/echo" || seen.URL.Query()["q"][1] != "2" || seen.Host != "x.fcapp.run" ||
		seen.Header.Get("X-Multi") != "a,b" || seen.RemoteAddr != "10.0.0.1" || string(seenBody) != string([]byte{0, 1, 2, 0xff}) {
		t.Fatalf("request = %s %s host %s headers %v body %v", seen.Method, seen.URL, seen.Host, seen.Header, seenBody)
	}
	body, _ := base64.StdEncoding.DecodeString(resp.Body)
	if resp.StatusCode != http.StatusTeapot || !resp.IsBase64Encoded || string(body) != string([]byte{9, 8, 0xfe}) || resp.Headers["X-Out"] != "1, 2" {
		t.Fatalf("response = %+v", resp)
	}
}

func TestPlainBodyAndDefaultStatus(t *testing.T) {
	body, path, method := `{"a":1}`, "/x", "POST"
	ev := events.HTTPTriggerEvent{Body: &body, RawPath: &path}
	ev.TriggerContext.Http.Method = &method
	resp, _ := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}))(context.Background(), ev)
	got, _ := base64.StdEncoding.DecodeString(resp.Body)
	if resp.StatusCode != 200 || string(got) != body {
		t.Fatalf("response = %d %q", resp.StatusCode, got)
	}
}

func TestBadBase64IsA400(t *testing.T) {
	body, yes := "!!!", true
	resp, _ := Handler(http.NotFoundHandler())(context.Background(), events.HTTPTriggerEvent{Body: &body, IsBase64Encoded: &yes})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d", resp.StatusCode)
	}
}
