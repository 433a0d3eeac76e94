package obs

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	localsls "smsflow/local/sls"
	"smsflow/local/testkit"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slsput"
)

// shipperOnCountingSLS is a Shipper bound to a local SLS whose listener
// counts the connections it accepts.
func shipperOnCountingSLS(t *testing.T) (*Shipper, func() int64, *bytes.Buffer) {
	t.Helper()
	srv, err := localsls.New(localsls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, step := range []error{srv.EnsureProject("p"), srv.EnsureLogstore("p", "events"), srv.EnsureIndex("p", "events", eventsIndex())} {
		if step != nil {
			t.Fatal(step)
		}
	}
	hs, dials := testkit.CountingServer(srv)
	t.Cleanup(hs.Close)
	var stdout bytes.Buffer
	s := NewShipper(config.Logs{Endpoint: strings.TrimPrefix(hs.URL, "http://")}, "send", creds.NewSource(false), &stdout)
	return s, dials.Load, &stdout
}

func shipOne(s *Shipper, ctx context.Context) {
	s.Ship(ctx, []Event{{Time: time.Now(), Fields: []Field{{Key: KeyEvent, Value: EventResult}, {Key: KeyStatus, Value: "accepted"}}}})
}

// One invocation at a time ships its events on the connection the last
// one left open: a new connection is a new TLS handshake in production.
func TestSequentialShipsReuseOneConnection(t *testing.T) {
	s, dials, stdout := shipperOnCountingSLS(t)
	ctx := WithInvocation(fcContext("p", "events"))
	for range 100 {
		shipOne(s, ctx)
	}
	if s.Failures.Load() != 0 || stdout.Len() != 0 {
		t.Fatalf("events went to stdout, not SLS: %s", stdout)
	}
	if n := dials(); n > 2 {
		t.Errorf("100 sequential PutLogs opened %d connections, want at most 2", n)
	}
}

// Bursts of overlapping ships (plain net/http in tests, or a PutLogs left
// running past its timeout) keep up to slsput.IdleConns connections.
func TestOverlappingShipsReuseTheirConnections(t *testing.T) {
	s, dials, stdout := shipperOnCountingSLS(t)
	ctx := WithInvocation(fcContext("p", "events"))
	const burst = slsput.IdleConns
	for range 100 / burst {
		var wg sync.WaitGroup
		for range burst {
			wg.Add(1)
			go func() { defer wg.Done(); shipOne(s, ctx) }()
		}
		wg.Wait()
	}
	if s.Failures.Load() != 0 || stdout.Len() != 0 {
		t.Fatalf("events went to stdout, not SLS: %s", stdout)
	}
	if n := dials(); n > 2*burst {
		t.Errorf("100 PutLogs in bursts of %d opened %d connections, want at most %d", burst, n, 2*burst)
	}
}
