package sms

import (
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/sts"
)

// The server closes a kept-alive connection while the instance is quiet (an
// SLB idle timeout, or a long FC freeze); the next send must go out on a
// fresh connection, not end "unknown" on the dead one (stale.go). The
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
	var skew atomic.Int64 // how long the instance has "been quiet", in total
	s.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	ctx := stsContext(sts.Issue(time.Hour))
	const rounds = 60
	unknown, accepted := 0, 0
	for i := 0; i < rounds; i++ {
		srv.Reset()
		if out, _ := s.Send(ctx, otpRequest(t, "13800138000"), nil); out.Status != StatusAccepted {
			t.Fatalf("round %d, first send: %+v", i, out)
		}
		hs.CloseClientConnections() // the server's side of the idle connection goes
		srv.Reset()                 // (Alibaba's one-a-minute limit per number)
		skew.Add(int64(2 * quietAfter))
		switch out, attempts := s.Send(ctx, otpRequest(t, "13800138000"), nil); {
		case out.Status == StatusAccepted && len(attempts) == 1:
			accepted++
		case out.Status == StatusUnknown:
			unknown++
		default:
			t.Fatalf("round %d, send after the close: %+v after %d attempts", i, out, len(attempts))
		}
		if got := srv.Stats().Requests["SendSms"]; got > 1 {
			t.Fatalf("round %d: Alibaba saw %d SendSms for one send", i, got)
		}
	}
	if unknown > 3 {
		t.Fatalf("%d of %d sends after a server-side close ended unknown (%d accepted)", unknown, rounds, accepted)
	}
}
