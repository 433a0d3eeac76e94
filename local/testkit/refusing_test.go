package testkit

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

func TestRefusingAddrRefuses(t *testing.T) {
	addr := RefusingAddr(t)
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			t.Fatalf("a connection to %s was accepted", addr)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s: %v, want connection refused", addr, err)
		}
	}
	// The port stays taken: nobody else can listen on it meanwhile.
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("%s could be listened on while reserved", addr)
	}
}
