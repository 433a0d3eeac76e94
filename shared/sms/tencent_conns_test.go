package sms

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"smsflow/local/tencent"
	"smsflow/local/testkit"
	"smsflow/shared/config"
)

// Like Dysmsapi's client (issue 10.12), Tencent's keeps the connections
// that overlapping sends (dispatch sends a batch side by side) open: the
// SDK's own transport keeps Go's default of 2 idle per host, so most sends
// of a burst of 4 opened a new connection (a new TLS handshake at Tencent).
func TestOverlappingTencentSendsReuseTheirConnections(t *testing.T) {
	hs, dials := testkit.CountingServer(tencent.New(tencent.Options{}))
	t.Cleanup(hs.Close)
	m, err := LoadTemplateMap(mustAbs(t, "testdata/templates_local.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewTencent(config.Tencent{SecretID: tencent.LocalSecretID, SecretKey: tencent.LocalSecretKey,
		SdkAppID: tencent.LocalSdkAppID, Region: "ap-guangzhou", Endpoint: strings.TrimPrefix(hs.URL, "http://"),
		Scheme: "http", Timeout: 5 * time.Second}, m)
	if err != nil {
		t.Fatal(err)
	}
	const burst = tencentIdleConns
	for round := range 100 / burst {
		var wg sync.WaitGroup
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := requestTo(t, "SMS_LOCAL_NOTICE", map[string]string{"status": "shipped", "name": "Ann"}, fmt.Sprintf("139%02d00%04d", i, round))
				if out, _ := p.Send(context.Background(), req, nil); out.Status != StatusAccepted {
					t.Errorf("send: %+v", out)
				}
			}()
		}
		wg.Wait()
	}
	if n := dials.Load(); n > 2*burst {
		t.Errorf("100 sends in bursts of %d opened %d connections, want at most %d", burst, n, 2*burst)
	}
}
