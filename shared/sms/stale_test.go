package sms

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/sts"
	"smsflow/local/tencent"
	"smsflow/shared/netx"
)

// The server closes a kept-alive connection while the instance is quiet (an
// SLB idle timeout, or a long FC freeze); the next send must go out on a
// fresh connection, not end "unknown" on the dead one (netx.Quiet). The
// remaining race is narrow, not closed, hence a bound rather than zero:
// without the pause about half of these sends ended unknown.
// conformance: DY-17
func TestASendAfterTheServerClosedTheIdleConnectionIsNotUnknown(t *testing.T) {
	srv, err := dysms.New(dysms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	s := newSender(strings.TrimPrefix(hs.URL, "http://"))
	var skew atomic.Int64
	s.now = skewed(&skew)
	ctx := stsContext(sts.Issue(time.Hour))
	unknown := unknownAfterServerCloses(t, hs, &skew, srv.Reset, func(i int) Outcome {
		out, attempts := s.Send(ctx, otpRequest(t, "13800138000"), nil)
		if out.Status == StatusAccepted && len(attempts) != 1 {
			t.Fatalf("round %d: accepted after %d attempts", i, len(attempts))
		}
		if got := srv.Stats().Requests["SendSms"]; got > 1 {
			t.Fatalf("round %d: Alibaba saw %d SendSms for one send", i, got)
		}
		return out
	})
	if unknown > 3 {
		t.Fatalf("%d of %d sends after a server-side close ended unknown", unknown, quietRounds)
	}
}

// The same for Tencent, whose transport we build ourselves but whose server
// may close sooner than our idle timeout.
// conformance: DY-17
func TestATencentSendAfterTheServerClosedTheIdleConnectionIsNotUnknown(t *testing.T) {
	hs := httptest.NewServer(tencent.New(tencent.Options{}))
	defer hs.Close()
	p := tencentAt(t, hs.URL, time.Second)
	var skew atomic.Int64
	p.now = skewed(&skew)
	sends := 0
	unknown := unknownAfterServerCloses(t, hs, &skew, func() {}, func(int) Outcome {
		sends++ // a fresh number each time: no per-number limit applies
		out, _ := p.Send(context.Background(), requestTo(t, "SMS_LOCAL_NOTICE",
			map[string]string{"status": "shipped", "name": "Ann"}, fmt.Sprintf("139%08d", sends)), nil)
		return out
	})
	if unknown > 3 {
		t.Fatalf("%d of %d Tencent sends after a server-side close ended unknown", unknown, quietRounds)
	}
}

const quietRounds = 60

// skewed is a clock that runs skew ahead of time.Now: how long the
// instance has "been quiet", in total.
func skewed(skew *atomic.Int64) func() time.Time {
	return func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
}

// unknownAfterServerCloses runs quietRounds rounds of: a send that must be
// accepted, the server closing its side of the kept-alive connection,
// reset (the emulator's per-number limits), a quiet spell on the
// provider's clock, and a second send. It returns how many second sends
// ended unknown; any outcome but accepted or unknown fails the test.
func unknownAfterServerCloses(t *testing.T, hs *httptest.Server, skew *atomic.Int64, reset func(), send func(round int) Outcome) int {
	t.Helper()
	unknown := 0
	for i := 0; i < quietRounds; i++ {
		reset()
		if out := send(i); out.Status != StatusAccepted {
			t.Fatalf("round %d, first send: %+v", i, out)
		}
		hs.CloseClientConnections()
		reset()
		skew.Add(int64(2 * netx.QuietAfter))
		switch out := send(i); out.Status {
		case StatusAccepted:
		case StatusUnknown:
			unknown++
		default:
			t.Fatalf("round %d, send after the close: %+v", i, out)
		}
	}
	return unknown
}
