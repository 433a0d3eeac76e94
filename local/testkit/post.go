package testkit

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Answer is what the send function answered over HTTP.
type Answer struct {
	Status int
	Header http.Header
	Raw    string
}

// PostMessage posts body to baseURL's /v1/messages with a bearer token, as
// a caller of the send function does. contentType "" sends none; headers
// are name, value pairs, and an empty value removes that header (to send a
// request without Authorization, say).
func PostMessage(t testing.TB, baseURL, token, contentType, body string, headers ...string) Answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, baseURL+"/v1/messages", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /v1/messages: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer of POST /v1/messages: %v", err)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
}
