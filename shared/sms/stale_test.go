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
	"smsflow/shared/phone"
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
		skew.Add(int64(2 * netx.QuietAfter))
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

// The same for Tencent, whose transport we build ourselves but whose server
// may close sooner than our idle timeout.
// conformance: DY-17
func TestATencentSendAfterTheServerClosedTheIdleConnectionIsNotUnknown(t *testing.T) {
	srv := tencent.New(tencent.Options{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	p := tencentAt(t, hs.URL, time.Second)
	var skew atomic.Int64
	p.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	const rounds = 60
	unknown := 0
	for i := 0; i < rounds; i++ {
		req := requestTo(t, "SMS_LOCAL_NOTICE", map[string]string{"status": "shipped", "name": "Ann"}, fmt.Sprintf("139%08d", i))
		if out, _ := p.Send(context.Background(), req, nil); out.Status != StatusAccepted {
			t.Fatalf("round %d, first send: %+v", i, out)
		}
		hs.CloseClientConnections()
		skew.Add(int64(2 * netx.QuietAfter))
		req.Numbers[0], _ = phone.Normalize(fmt.Sprintf("137%08d", i))
		switch out, _ := p.Send(context.Background(), req, nil); out.Status {
		case StatusAccepted:
		case StatusUnknown:
			unknown++
		default:
			t.Fatalf("round %d, send after the close: %+v", i, out)
		}
	}
	if unknown > 3 {
		t.Fatalf("%d of %d Tencent sends after a server-side close ended unknown", unknown, rounds)
	}
}
