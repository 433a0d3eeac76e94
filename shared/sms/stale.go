package sms

import (
	"context"
	"sync/atomic"
	"time"
)

// A connection kept alive to Dysmsapi may be closed by the server (or a
// NAT on the way) while the instance is idle, and FC freezes an idle
// instance: on thaw, the FIN and the next invocation arrive together. If
// the SDK writes the SendSms onto that connection before Go's transport
// has read the FIN, the call fails with a bare EOF after the request was
// written: an unknown outcome, though Alibaba never saw it. (The fix
// at the root, a transport IdleConnTimeout shorter than the server's, is
// not reachable: tea v1.2.2 builds its own http.Transport.) In a test
// where the server closed its side between two sends, 27 of 60 second
// sends ended unknown this way.
//
// So the first call after a quiet spell first lets the runtime poll the
// network (a short sleep parks the goroutine, and the scheduler polls
// before it runs anything else), so the transport's reader sees the EOF
// and drops the dead connection; the call then dials afresh. It narrows
// the race to almost nothing (0 of 60 in that test); it cannot close it.
const (
	// quietAfter is how long without a call makes the next one pause.
	quietAfter = time.Second
	// quietPause is the pause: long enough for the scheduler to poll.
	quietPause = time.Millisecond
)

// quiet tracks when the last call ended.
type quiet struct{ lastEnd atomic.Int64 } // unix ns; 0: never

// settle pauses before a call that follows a quiet spell.
func (q *quiet) settle(ctx context.Context, now time.Time, sleep func(context.Context, time.Duration) error) {
	last := q.lastEnd.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) >= quietAfter {
		_ = sleep(ctx, quietPause) // a cancelled ctx ends the pause; the call then sees it
	}
}

func (q *quiet) ended(now time.Time) { q.lastEnd.Store(now.UnixNano()) }
