package netx

import (
	"context"
	"sync/atomic"
	"time"
)

// A connection kept alive to a cloud API may be closed by the server (or a
// NAT on the way) while the instance is idle, and FC freezes an idle
// instance: on thaw, the FIN and the next invocation arrive together. If a
// request is written onto that connection before Go's transport has read
// the FIN, it fails with a bare EOF after it was written. For SendSms that
// is an unknown outcome though Alibaba never saw it (27–34 of 60 such sends
// in our tests); for PutLogs, events that fall back to stdout.
//
// The root fix, a transport IdleConnTimeout below the server's, is out of
// reach for Dysmsapi (tea v1.2.2 builds its own http.Transport) and would
// still race with a server that closes sooner. So the first call after a
// quiet spell first lets the runtime poll the network: a short sleep parks
// the goroutine, the scheduler polls before it runs anything else, the
// transport's reader sees the EOF and drops the dead connection, and the
// call dials afresh. It narrows the race to almost nothing; it cannot
// close it.
const (
	// QuietAfter is how long without a call makes the next one pause.
	QuietAfter = time.Second
	// QuietPause is the pause: long enough for the scheduler to poll.
	QuietPause = time.Millisecond
)

// Quiet tracks when a client's last call ended. The zero value is ready;
// it is safe for concurrent use.
type Quiet struct{ lastEnd atomic.Int64 } // unix ns; 0: never

// Settle pauses before a call that follows a quiet spell (now is the
// caller's clock). A done ctx ends the pause early; the call then sees it.
func (q *Quiet) Settle(ctx context.Context, now time.Time) {
	last := q.lastEnd.Load()
	if last == 0 || now.Sub(time.Unix(0, last)) < QuietAfter {
		return
	}
	t := time.NewTimer(QuietPause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Ended records that a call ended at now.
func (q *Quiet) Ended(now time.Time) { q.lastEnd.Store(now.UnixNano()) }
