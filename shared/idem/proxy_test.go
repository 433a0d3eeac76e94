package idem

import (
	"bytes"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// lateReplies is a TCP proxy to a Redis that, once armed, holds the reply
// to the next request containing every one of match for delay: a Redis
// that ran the command but answered after the client's timeout.
type lateReplies struct {
	addr  string
	armed atomic.Bool
}

func newLateReplies(t *testing.T, target string, delay time.Duration, match ...string) *lateReplies {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &lateReplies{addr: ln.Addr().String()}
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

func (p *lateReplies) arm() { p.armed.Store(true) }

func (p *lateReplies) matches(b []byte, match []string) bool {
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
