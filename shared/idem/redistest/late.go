package redistest

import (
	"bytes"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// LateReplies is a TCP proxy to a Redis that, once armed, holds the reply
// to the next request containing every one of match for delay: a Redis
// that ran the command but answered after the client's timeout.
type LateReplies struct {
	// Addr is the proxy's address, to give the client instead of the server's.
	Addr  string
	armed atomic.Bool
}

// NewLateReplies starts a LateReplies in front of target; it holds nothing
// until Arm.
func NewLateReplies(t testing.TB, target string, delay time.Duration, match ...string) *LateReplies {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &LateReplies{Addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			var hold atomic.Bool
			go pipe(c, s, func(b []byte) {
				if p.matches(b, match) && p.armed.CompareAndSwap(true, false) {
					hold.Store(true)
				}
			})
			go pipe(s, c, func([]byte) {
				if hold.CompareAndSwap(true, false) {
					time.Sleep(delay)
				}
			})
		}
	}()
	return p
}

// Arm makes the proxy hold the reply to the next matching request.
func (p *LateReplies) Arm() { p.armed.Store(true) }

func (p *LateReplies) matches(b []byte, match []string) bool {
	for _, m := range match {
		if !bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(m))) {
			return false
		}
	}
	return true
}

// pipe copies from to to, calling seen on each chunk before it is passed on.
func pipe(from, to net.Conn, seen func([]byte)) {
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			seen(buf[:n])
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
