package netx

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A failed TLS handshake leaves no byte of the request on the wire: a
// self-signed certificate, or a plain-HTTP server behind https://.
func TestFailedTLSHandshakeIsNotSent(t *testing.T) {
	var hits int
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		io.WriteString(w, "ok")
	})
	tlsSrv := httptest.NewTLSServer(handler)
	defer tlsSrv.Close()
	plain := httptest.NewServer(handler)
	defer plain.Close()
	for name, url := range map[string]string{
		"untrusted certificate": tlsSrv.URL,
		"plain HTTP server":     strings.Replace(plain.URL, "http://", "https://", 1),
	} {
		_, err := http.Post(url, "text/plain", strings.NewReader("SendSms"))
		if err == nil || !NotSent(err) {
			t.Errorf("%s: NotSent(%v) = false", name, err)
		}
	}
	if hits != 0 {
		t.Errorf("a handler saw %d requests", hits)
	}
	// An answer that never comes is not a handshake failure.
	if NotSent(io.ErrUnexpectedEOF) {
		t.Error("an unexpected EOF counted as not sent")
	}
}

// A request whose URL does not parse is never built, so nothing was sent:
// an endpoint with a trailing space or a port that is not a number. A
// parse error inside an error of a request under way (Op "Post") is not
// taken for one.
// conformance: DY-09
func TestARequestThatCannotBeBuiltIsNotSent(t *testing.T) {
	for _, raw := range []string{"http://127.0.0.1:40671 /?PhoneNumbers=1", "http://dysmsapi.aliyuncs.com /", "http://127.0.0.1:x/"} {
		_, err := http.NewRequest("POST", raw, nil)
		if err == nil || !NotSent(err) {
			t.Errorf("%q: NotSent(%v) = false", raw, err)
		}
		if _, err := http.Post(raw, "text/plain", strings.NewReader("SendSms")); err == nil || !NotSent(err) {
			t.Errorf("http.Post %q: NotSent(%v) = false", raw, err)
		}
	}
	_, parse := url.Parse("http://h:x/")
	if NotSent(&url.Error{Op: "Post", URL: "http://h/", Err: parse}) {
		t.Error("a parse error inside a request under way counted as not sent")
	}
}
