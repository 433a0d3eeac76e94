package sms

import (
	"context"
	"fmt"
	"testing"
	"time"

	"smsflow/local/tencent"
	"smsflow/local/testkit"
)

// Like Dysmsapi's client (issue 10.12), Tencent's keeps the connections
// that overlapping sends (dispatch sends a batch side by side) open: the
// SDK's own transport keeps Go's default of 2 idle per host, so most sends
// of a burst of 4 opened a new connection (a new TLS handshake at Tencent).
func TestOverlappingTencentSendsReuseTheirConnections(t *testing.T) {
	hs, dials := testkit.CountingServer(tencent.New(tencent.Options{}))
	t.Cleanup(hs.Close)
	p := tencentAt(t, hs.URL, 5*time.Second)
	sendInBursts(t, tencentIdleConns, dials, func(i, round int) Outcome {
		req := requestTo(t, "SMS_LOCAL_NOTICE", map[string]string{"status": "shipped", "name": "Ann"}, fmt.Sprintf("139%02d00%04d", i, round))
		out, _ := p.Send(context.Background(), req, nil)
		return out
	})
}
