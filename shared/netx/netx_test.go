package netx

import (
	"io"
	"net/http"
	"net/http/httptest"
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
