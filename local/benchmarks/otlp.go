package benchmarks

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
	"smsflow/shared/slstrace"
	"smsflow/shared/trace"
)

func init() {
	Register(Section{Name: "OTLP export: latency a flush adds with SLS and OTLP both on", Order: 36, Run: otlpCost})
}

// goalOTLPAddedP99 is issue 13's goal for what export adds, in ms.
const goalOTLPAddedP99 = 1.0

// otlpCost flushes one accepted send's batch (sms.request, sms.attempt,
// sms.result) to the local SLS, alternately with OTLP export to the same
// emulator off and on, and compares the p99s of each round. Both writes
// are loopback: the figure is the export's own cost (building the spans,
// protobuf, one HTTP round trip, the receiver's store), not a network's.
func otlpCost(_ context.Context, b *Bench) error {
	srv, err := localsls.New(localsls.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, err := range []error{srv.EnsureProject("p"), srv.EnsureLogstore("p", "events"), srv.EnsureIndex("p", "events", provision.Index()),
		srv.EnsureTraceInstance("p", "smsflow")} {
		if err != nil {
			return err
		}
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	addr := strings.TrimPrefix(hs.URL, "http://")
	logs := config.Logs{Endpoint: addr, Timeout: time.Second}
	off := obs.NewShipper(logs, "send", creds.NewSource(false), io.Discard)
	logs.OTLP = config.OTLP{Endpoint: hs.URL + slstrace.Path, SLSAuth: true, Timeout: 500 * time.Millisecond,
		Headers: slstrace.HeaderProject + "=p," + slstrace.HeaderInstanceID + "=smsflow"}
	on := obs.NewShipper(logs, "send", creds.NewSource(false), io.Discard)
	// The export's own cost, apart from the emulator's storing (which
	// shares a lock with PutLogs): a receiver that stores nothing.
	null := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer null.Close()
	logs.OTLP.Endpoint = null.URL + slstrace.Path
	onNull := obs.NewShipper(logs, "send", creds.NewSource(false), io.Discard)
	c := sts.Issue(time.Hour)
	base := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "bench",
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Function:    fccontext.Function{Name: "send"}, Service: fccontext.Service{LogProject: "p", LogStore: "events", VersionId: "1"}, Region: "cn-hangzhou"})
	flush := func(s *obs.Shipper) time.Duration {
		log := obs.NewLogger(s)
		span := trace.NewRoot()
		ctx := obs.NewBatch(obs.WithInvocation(trace.NewContext(base, span)))
		log.LogAttrs(ctx, slog.LevelInfo, obs.EventRequest, slog.String(obs.KeyPhoneMasked, "138****8000"))
		log.LogAttrs(trace.NewContext(ctx, span.Child()), slog.LevelInfo, obs.EventAttempt, slog.String(obs.KeyStatus, "accepted"), slog.Int(obs.KeyLatencyMS, 3))
		log.LogAttrs(ctx, slog.LevelInfo, obs.EventResult, resultAttrs()...)
		start := time.Now()
		if err := s.FlushOrFail(ctx); err != nil {
			return -1
		}
		return time.Since(start)
	}
	const perRound = 300
	var without, with, withNull Latency
	var added, addedNull []float64
	for r := 0; r < b.Rounds; r++ {
		var a, o, n Samples
		for i := 0; i < perRound; i++ {
			d0, d1, d2 := flush(off), flush(on), flush(onNull)
			if d0 < 0 || d1 < 0 || d2 < 0 || on.Failures.Load()+onNull.Failures.Load() > 0 {
				return fmt.Errorf("a flush fell back to stdout (round %d)", r+1)
			}
			a, o, n = append(a, d0), append(o, d1), append(n, d2)
		}
		without.Add(a)
		with.Add(o)
		withNull.Add(n)
		added = append(added, ms(o.Quantile(0.99)-a.Quantile(0.99)))
		addedNull = append(addedNull, ms(n.Quantile(0.99)-a.Quantile(0.99)))
	}
	b.LatencyHeader(fmt.Sprintf("flush of one send's 3 events (%d per round)", perRound))
	b.LatencyRow("SLS only (PutLogs)", without, 0)
	b.LatencyRow("SLS and OTLP export side by side", with, 0)
	b.LatencyRow("SLS and OTLP to a receiver storing nothing", withNull, 0)
	fmt.Fprintf(b.Out, "  %-44s %s\n", "added at p99, receiver storing nothing", SpreadOf(addedNull).Format("%.3f", "ms"))
	s := SpreadOf(added)
	fmt.Fprintf(b.Out, "  %-44s %-57s goal ≤ %g ms  %s\n", "added by OTLP export at p99", s.Format("%.3f", "ms"), goalOTLPAddedP99,
		b.Goal("OTLP export added at p99", s.Median <= goalOTLPAddedP99, fmt.Sprintf("%s, goal ≤ %g ms", s.Format("%.3f", "ms"), goalOTLPAddedP99)))
	return nil
}
