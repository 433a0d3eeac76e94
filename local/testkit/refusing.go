package testkit

import (
	"fmt"
	"syscall"
	"testing"
)

// RefusingAddr returns a loopback host:port that refuses every connection
// for the rest of the test. Closing a listener to get such a port races
// with every other test on the machine that asks for port 0: the port can
// be handed out again, and a connection that should be refused is accepted
// by a stranger (then reset: an ambiguous outcome, not a refusal). A socket
// that is bound but never listens keeps the port and refuses on Linux.
func RefusingAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
