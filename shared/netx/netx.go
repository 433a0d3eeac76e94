// Package netx holds what our clients need to know about network errors.
package netx

import (
	"errors"
	"net"
)

// NotSent is true only when a request provably never left: no connection
// was made (refused, unreachable, DNS failure). Anything later (a timeout
// while waiting for the answer, a reset) may have reached the other side,
// which matters to every call that is not idempotent.
func NotSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
