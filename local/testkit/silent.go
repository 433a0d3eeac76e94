package testkit

import (
	"io"
	"net"
	"sync"
	"testing"
)

// SilentAddr returns a loopback host:port that accepts connections and
// reads whatever is sent, but never answers, for the rest of the test: a
// server stalled or half-dead rather than down (RefusingAddr fails fast).
// Clients bounded by their own timeouts, not their caller's deadline, hang
// on it.
func SilentAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	return ln.Addr().String()
}
