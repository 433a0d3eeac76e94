package slsstate

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/alert"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
	"smsflow/shared/slsclient"
)

const (
	project  = "p"
	logstore = "events"
)

// emulator starts the local SLS behind handler wrap (nil = as is).
func emulator(t *testing.T, wrap func(http.Handler) http.Handler) (addr string, srv *localsls.Server) {
	t.Helper()
	srv, err := localsls.New(localsls.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.EnsureLogstore(project, logstore); err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String(), srv
}

// invocation is what FC gives a handler: STS credentials and a logConfig.
func invocation(logProject, logStore string) context.Context {
	c := sts.Issue(time.Hour)
	return obs.WithInvocation(fccontext.NewContext(context.Background(), &fccontext.FcContext{
		RequestID:   "req-1",
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Service:     fccontext.Service{LogProject: logProject, LogStore: logStore},
		Region:      "cn-hangzhou",
	}))
}

func transition(id, prev, rule string, status alert.Status) alert.Record {
	slot := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	return alert.Record{Type: alert.RecordTransition, ID: id, RunID: "run-" + id, Key: alert.Key{Rule: rule},
		At: slot, Prev: prev, Slot: slot, From: alert.StatusOK, State: &alert.State{Status: status, Slot: slot}}
}

func TestStateLogRoundTripInOrderOnOneShard(t *testing.T) {
	addr, _ := emulator(t, nil)
	conn := &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 5 * time.Second}
	log := &StateLog{Conn: conn, Lookback: time.Hour}
	ctx := invocation(project, logstore) // the bound logConfig is the default location

	// Another writer's events share the logstore (and, by hash, any shard).
	other := &sls.LogGroup{Logs: []*sls.Log{{Time: new(uint32(time.Now().Unix())),
		Contents: []*sls.LogContent{{Key: new("event"), Value: new("sms.result")}}}}}
	key := HashKey
	client, loc, err := conn.target(ctx, Location{})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.PostLogStoreLogs(loc.Project, loc.Logstore, other, &key); err != nil {
		t.Fatal(err)
	}

	first := transition("a", "", "r1", alert.StatusPending)
	// Two runs race on the same head: the log order decides, for everyone.
	winner, loser := transition("b", "a", "r1", alert.StatusFiring), transition("c", "a", "r1", alert.StatusOK)
	for _, batch := range [][]alert.Record{{first}, {winner, transition("z", "", "r2", alert.StatusPending)}, {loser}} {
		if err := log.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	got, err := log.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "a,b,z,c" {
		t.Fatalf("loaded %v, want a,b,z,c (append order, other events skipped)", ids)
	}
	f := alert.Fold(got)
	if !f.Won(winner) || f.Won(loser) || f.States[alert.Key{Rule: "r1"}].Status != alert.StatusFiring {
		t.Fatalf("fold: won(b)=%v won(c)=%v state=%+v", f.Won(winner), f.Won(loser), f.States[alert.Key{Rule: "r1"}])
	}
	if got[1].State == nil || got[1].State.Status != alert.StatusFiring || !got[1].Slot.Equal(winner.Slot) {
		t.Fatalf("record did not survive the trip: %+v", got[1])
	}
}

func TestStateLogLookbackAndSkips(t *testing.T) {
	addr, _ := emulator(t, nil)
	conn := &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 5 * time.Second}
	var skipped []error
	log := &StateLog{Conn: conn, Location: Location{Project: project, Logstore: logstore}, Lookback: time.Hour,
		OnSkip: func(_ context.Context, err error) { skipped = append(skipped, err) }}
	ctx := invocation("elsewhere", "ignored") // configured location wins over logConfig
	if err := log.Append(ctx, []alert.Record{transition("old", "", "r", alert.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	// A broken alert.state record must not stop alerting.
	client, _, _ := conn.target(ctx, log.Location)
	bad := &sls.LogGroup{Logs: []*sls.Log{{Time: new(uint32(time.Now().Unix())), Contents: []*sls.LogContent{
		{Key: new("event"), Value: new(StateEvent)}, {Key: new("record"), Value: new("{not json")}}}}}
	key := HashKey
	if err := client.PostLogStoreLogs(project, logstore, bad, &key); err != nil {
		t.Fatal(err)
	}
	got, err := log.Load(ctx)
	if err != nil || len(got) != 1 || len(skipped) != 1 {
		t.Fatalf("got %d records, %d skipped, err %v", len(got), len(skipped), err)
	}
	// Read from two hours on: nothing received then is older than the look-back.
	log.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if got, err := log.Load(ctx); err != nil || len(got) != 0 {
		t.Fatalf("after the look-back: %d records, err %v", len(got), err)
	}
}

func TestStateLogNeedsALocation(t *testing.T) {
	conn := &Conn{Creds: creds.NewSource(false), Endpoint: "127.0.0.1:1"}
	log := &StateLog{Conn: conn, Lookback: time.Hour}
	if _, err := log.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "logConfig") {
		t.Fatalf("err = %v", err)
	}
}

func TestQuerier(t *testing.T) {
	for _, tc := range []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		complete bool
	}{{"complete", nil, true}, {"incomplete", localsls.Incomplete, false}} {
		t.Run(tc.name, func(t *testing.T) {
			addr, srv := emulator(t, tc.wrap)
			if err := srv.EnsureIndex(project, logstore, provision.Index()); err != nil {
				t.Fatal(err)
			}
			conn := &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 5 * time.Second}
			ctx := invocation(project, logstore)
			now := time.Now()
			put := slsclient.New(addr, liveFor(ctx, t), 5*time.Second)
			grp := &sls.LogGroup{}
			// Four send decisions, one failed; the refusals and the replay
			// of a stored failure are no send decisions and do not count.
			for _, r := range [][2]string{{"accepted", "send"}, {"failed", "send"}, {"accepted", "send"}, {"accepted", "send"},
				{"rejected", "refused"}, {"failed", "refused"}, {"unknown", "replayed"}} {
				grp.Logs = append(grp.Logs, &sls.Log{Time: new(uint32(now.Unix())), Contents: []*sls.LogContent{
					{Key: new("event"), Value: new("sms.result")}, {Key: new("status"), Value: new(r[0])}, {Key: new("decision"), Value: new(r[1])}}})
			}
			if err := put.PutLogs(project, logstore, grp); err != nil {
				t.Fatal(err)
			}
			q := &Querier{Conn: conn}
			rule := alert.Rule{Kind: alert.KindFailureRate}
			res, err := q.Query(ctx, now.Add(-time.Minute), now.Add(time.Minute), rule.CompiledQuery())
			if err != nil {
				t.Fatal(err)
			}
			if res.Complete != tc.complete || len(res.Rows) != 1 || res.Rows[0]["samples"] != "4" || res.Rows[0]["value"] != "0.25" {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

func TestQuerierError(t *testing.T) {
	addr, srv := emulator(t, nil)
	if err := srv.EnsureIndex(project, logstore, provision.Index()); err != nil {
		t.Fatal(err)
	}
	q := &Querier{Conn: &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 5 * time.Second}}
	now := time.Now()
	_, err := q.Query(invocation(project, logstore), now.Add(-time.Minute), now, `* | SELECT no_such_column AS value`)
	if err == nil || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("err = %v", err)
	}
}

func liveFor(ctx context.Context, t *testing.T) *slsclient.Live {
	tr, err := creds.NewSource(false).Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &slsclient.Live{}
	l.Set(sls.Credentials{AccessKeyID: tr.AccessKeyID, AccessKeySecret: tr.AccessKeySecret, SecurityToken: tr.SecurityToken})
	return l
}

// A receipt Alibaba pushed twice is logged twice with one receipt_id: the
// delivery rate counts it once (docs/receipts.md).
func TestDeliveryRateCountsARepushedReceiptOnce(t *testing.T) {
	var logs [][]string
	for _, r := range []struct{ id, delivered, trace string }{{"A", "true", "t1"}, {"A", "true", "t1"}, {"B", "false", "t2"}} {
		logs = append(logs, []string{"event", "sms.receipt", "receipt_id", r.id, "delivered", r.delivered, "trace_id", r.trace})
	}
	res := ruleOver(t, alert.Rule{Kind: alert.KindDeliveryRate}, logs)
	if len(res.Rows) != 1 || res.Rows[0]["samples"] != "2" || res.Rows[0]["value"] != "0.5" || res.Rows[0]["example_trace_id"] != "t2" {
		t.Fatalf("rows %+v: want 2 receipts, half delivered, the failed one as example", res.Rows)
	}
}

// A flood of refused requests and replays is no traffic: the no_traffic
// rule, run by the local SLS, counts send decisions only. (issue 10.10)
func TestNoTrafficIgnoresRefusalsAndReplays(t *testing.T) {
	var logs [][]string
	for i := range 30 {
		logs = append(logs, []string{"event", "sms.result", "status", "rejected", "decision", []string{"refused", "replayed"}[i%2]})
	}
	res := ruleOver(t, alert.Rule{Kind: alert.KindNoTraffic}, logs)
	if len(res.Rows) > 1 || (len(res.Rows) == 1 && res.Rows[0]["value"] != "0") {
		t.Fatalf("30 refusals and replays counted as traffic: %+v", res)
	}
}

// ruleOver stores one log per entry of logs (key, value pairs, stamped
// now) in a local SLS indexed as provision.Index, and runs rule's compiled query
// over them as the alert function does.
func ruleOver(t *testing.T, rule alert.Rule, logs [][]string) alert.Result {
	t.Helper()
	addr, srv := emulator(t, nil)
	if err := srv.EnsureIndex(project, logstore, provision.Index()); err != nil {
		t.Fatal(err)
	}
	ctx := invocation(project, logstore)
	now := time.Now()
	grp := &sls.LogGroup{}
	for _, kv := range logs {
		l := &sls.Log{Time: new(uint32(now.Unix()))}
		for i := 0; i+1 < len(kv); i += 2 {
			l.Contents = append(l.Contents, &sls.LogContent{Key: new(kv[i]), Value: new(kv[i+1])})
		}
		grp.Logs = append(grp.Logs, l)
	}
	if err := slsclient.New(addr, liveFor(ctx, t), 5*time.Second).PutLogs(project, logstore, grp); err != nil {
		t.Fatal(err)
	}
	q := &Querier{Conn: &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 5 * time.Second}}
	res, err := q.Query(ctx, now.Add(-time.Minute), now.Add(time.Minute), rule.CompiledQuery())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// conformance: SLS-03
// A run with many notices (a wide outage: hundreds of groups, each on
// every channel) writes more outcomes than one PutLogs takes (4096 logs).
// Refused whole, they would all look unsent and go out again after the
// lease, and again: the records are cut into groups SLS takes, in order.
func TestAppendCutsALargeRunIntoGroupsSLSTakes(t *testing.T) {
	addr, _ := emulator(t, nil)
	conn := &Conn{Creds: creds.NewSource(false), Endpoint: addr, Timeout: 10 * time.Second}
	log := &StateLog{Conn: conn, Lookback: time.Hour}
	ctx := invocation(project, logstore)
	const n = 5000
	records := make([]alert.Record, n)
	for i := range records {
		records[i] = transition(fmt.Sprintf("t%05d", i), "", "r", alert.StatusFiring)
		records[i].Key.Group = fmt.Sprintf("template_code=SMS_%05d", i)
	}
	if err := log.Append(ctx, records); err != nil {
		t.Fatalf("append of %d records: %v", n, err)
	}
	got, err := log.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("read back %d records, want %d", len(got), n)
	}
	for i, r := range got {
		if r.ID != records[i].ID {
			t.Fatalf("record %d is %s, want %s: the order was lost", i, r.ID, records[i].ID)
		}
	}
}

// A grouped rule's query names its group fields in double quotes (a field
// named like an SQL keyword stays a field): SLS answers each under its bare
// name, which is what the evaluator reads.
// conformance: SLS-16
func TestAGroupedRuleReadsItsGroupColumns(t *testing.T) {
	var logs [][]string
	for i := range 6 {
		tpl, status := "SMS_A", "accepted"
		if i%2 == 1 {
			tpl, status = "SMS_B", "failed"
		}
		logs = append(logs, []string{"event", "sms.result", "decision", "send", "status", status,
			"template_code", tpl, "provider", "aliyun", "trace_id", "t" + strconv.Itoa(i)})
	}
	res := ruleOver(t, alert.Rule{Kind: alert.KindFailureRate, GroupBy: []string{"template_code", "provider"}}, logs)
	got := map[string]string{}
	for _, row := range res.Rows {
		if row["provider"] != "aliyun" {
			t.Errorf("row %v: no provider column", row)
		}
		got[row["template_code"]] = row["value"]
	}
	if len(got) != 2 || got["SMS_A"] != "0.0" && got["SMS_A"] != "0" || got["SMS_B"] != "1.0" && got["SMS_B"] != "1" {
		t.Fatalf("rows %+v: want SMS_A at 0 and SMS_B at 1", res.Rows)
	}
}
