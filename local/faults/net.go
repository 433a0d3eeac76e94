package faults

import (
	"context"
	"net"
	"net/http"
	"time"
)

// ResetConnection takes the connection from net/http and closes it with
// SO_LINGER 0, so the kernel sends RST: the client sees "connection reset
// by peer", never a response. Where the connection cannot be hijacked
// (HTTP/2), aborting the handler is the closest Go offers.
func ResetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// Sleep waits d or until the client goes away. It holds no lock: a slow
// answer must never hold up other requests.
func Sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
