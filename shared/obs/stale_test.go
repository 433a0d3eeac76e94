package obs

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/netx"
)

// SLS closes a kept-alive connection while the instance is quiet; the next
// PutLogs must reach SLS on a fresh connection, not fall back to stdout on
// the dead one (netx.Quiet). The race is narrowed, not closed: a bound,
// not zero (without the pause about half of these fell back).
// conformance: DY-17
func TestAFlushAfterSLSClosedTheIdleConnectionReachesSLS(t *testing.T) {
	hs := localSLS(t)
	var stdout bytes.Buffer
	s := NewShipper(config.Logs{Endpoint: strings.TrimPrefix(hs.URL, "http://")}, "send", creds.NewSource(false), &stdout)
	var skew atomic.Int64
	s.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	ctx := WithInvocation(fcContext("p", "events"))
	const rounds = 60
	for i := 0; i < rounds; i++ {
		shipOne(s, ctx)
		hs.CloseClientConnections()
		skew.Add(int64(2 * netx.QuietAfter))
	}
	shipOne(s, ctx)
	if n := s.Failures.Load(); n > 3 {
		t.Fatalf("%d of %d flushes after SLS closed the connection fell back to stdout", n, rounds)
	}
}
