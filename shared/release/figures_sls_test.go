package release

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/alert/slsstate"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
	"smsflow/shared/slsclient"
)

// Issue 10.10's class in the canary's figures: a caller retrying a key
// whose stored answer is a 504 (an unknown outcome, which it should retry
// with the same key) gets that 504 replayed each time, from one call to
// Alibaba. Replays are not the version's behaviour: counted, 20 of them
// made a healthy canary's 5xx rate 9 % and rolled it back. The queries run
// in the local SLS, so the SQL itself is what is tested.
func TestReplaysOfAStored5xxDoNotCountAgainstTheCanary(t *testing.T) {
	now := time.Now()
	grp := &sls.LogGroup{}
	add := func(n int, version, decision, status string, httpStatus int) {
		for range n {
			grp.Logs = append(grp.Logs, &sls.Log{Time: new(uint32(now.Unix())), Contents: []*sls.LogContent{
				{Key: new("event"), Value: new("sms.result")}, {Key: new("version"), Value: new(version)},
				{Key: new("decision"), Value: new(decision)}, {Key: new("status"), Value: new(status)},
				{Key: new("http_status"), Value: new(strconv.Itoa(httpStatus))}}})
		}
	}
	add(200, "1", "send", "accepted", 200)
	add(200, "2", "send", "accepted", 200)
	add(1, "2", "send", "unknown", 504)
	add(20, "2", "replayed", "unknown", 504)
	ctx, q := localSLS(t, grp)
	stable, canary, err := measure(ctx, q, now.Add(-time.Minute), now.Add(time.Minute), "1", "2")
	if err != nil {
		t.Fatal(err)
	}
	if canary.Sends != 201 || canary.Results != 201 || canary.Rate5xx != 1.0/201 {
		t.Errorf("canary %+v: want 201 sends and results, 5xx rate 1/201 (the replays counted apart)", canary)
	}
	if why := DefaultPolicy().verdict(stable, canary); why != "" {
		t.Errorf("a healthy canary judged worse: %s", why)
	}
}

// localSLS stores grp in a local SLS with the smsflow index and answers a
// querier of it, and the context to query with.
func localSLS(t *testing.T, grp *sls.LogGroup) (context.Context, *slsstate.Querier) {
	t.Helper()
	srv, err := localsls.New(localsls.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.EnsureLogstore("p", "events"); err != nil {
		t.Fatal(err)
	}
	if err := srv.EnsureIndex("p", "events", provision.Index()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c := sts.Issue(time.Hour)
	ctx := obs.WithInvocation(fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Service:     fccontext.Service{LogProject: "p", LogStore: "events"}, Region: "cn-hangzhou",
	}))

	live := &slsclient.Live{}
	live.Set(sls.Credentials{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken})
	if err := slsclient.New(ts.Listener.Addr().String(), live, 5*time.Second).PutLogs("p", "events", grp); err != nil {
		t.Fatal(err)
	}
	return ctx, &slsstate.Querier{Conn: &slsstate.Conn{Creds: creds.NewSource(false), Endpoint: ts.Listener.Addr().String(), Timeout: 5 * time.Second}}
}

// Through the local SLS: a canary whose sms.attempt events carry no
// latency_ms (a regression in the new version) has its p99 answered as
// null. Read as 0 ms it passed the latency comparison; it is unreadable.
func TestACanaryWithoutLatencyHasAnUnreadableP99(t *testing.T) {
	now := time.Now()
	grp := &sls.LogGroup{}
	for v, lat := range map[string]string{"1": "300", "2": ""} {
		for range 100 {
			kv := []*sls.LogContent{{Key: new("event"), Value: new("sms.attempt")}, {Key: new("version"), Value: new(v)}}
			if lat != "" {
				kv = append(kv, &sls.LogContent{Key: new("latency_ms"), Value: new(lat)})
			}
			grp.Logs = append(grp.Logs, &sls.Log{Time: new(uint32(now.Unix())), Contents: kv})
		}
	}
	ctx, q := localSLS(t, grp)
	_, canary, err := measure(ctx, q, now.Add(-time.Minute), now.Add(time.Minute), "1", "2")
	if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "version 2 p99") {
		t.Fatalf("canary %+v, err %v; want its p99 unreadable", canary, err)
	}
}
