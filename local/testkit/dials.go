package testkit

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// CountingServer serves h on loopback and counts the TCP connections it
// accepts: how many new connections (TLS handshakes, in production) a
// client opened, to hold its connection reuse.
func CountingServer(h http.Handler) (*httptest.Server, *atomic.Int64) {
	srv := httptest.NewUnstartedServer(h)
	dials := &atomic.Int64{}
	srv.Listener = countingListener{Listener: srv.Listener, n: dials}
	srv.Start()
	return srv, dials
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}
