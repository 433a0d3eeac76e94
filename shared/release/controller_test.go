package release

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsflow/shared/alert"
)

// fakeFC is one alias in memory; it records what UpdateAlias was sent.
type fakeFC struct {
	alias    Alias
	versions []Version
	updates  []map[string]float64
	onList   func() // runs inside ListVersions: another actor moved the alias
}

func (f *fakeFC) GetAlias(context.Context, string, string) (Alias, error) { return f.alias, nil }
func (f *fakeFC) ListVersions(context.Context, string, int) ([]Version, error) {
	if f.onList != nil {
		f.onList()
	}
	return f.versions, nil
}
func (f *fakeFC) UpdateAlias(_ context.Context, _, _, v string, w map[string]float64, d string) (Alias, error) {
	f.updates = append(f.updates, w)
	f.alias.VersionID, f.alias.Weights, f.alias.Description = v, w, d
	return f.alias, nil
}

// fakeSLS answers the two release queries with fixed rows per version.
type fakeSLS struct {
	results, attempts []map[string]string
	incomplete        bool
	from              time.Time
}

func (s *fakeSLS) Query(_ context.Context, from, _ time.Time, q string) (alert.Result, error) {
	s.from = from
	if strings.Contains(q, `"sms.attempt"`) {
		return alert.Result{Rows: s.attempts, Complete: !s.incomplete}, nil
	}
	return alert.Result{Rows: s.results, Complete: !s.incomplete}, nil
}

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func fixture(weight float64, age time.Duration) (*Controller, *fakeFC, *fakeSLS) {
	fc := &fakeFC{alias: Alias{Name: "prod", VersionID: "1", Weights: map[string]float64{"2": weight},
		Modified: t0.Format(time.RFC3339)}, versions: []Version{{ID: "2"}, {ID: "1"}}}
	sls := &fakeSLS{
		results:  []map[string]string{{"version": "1", "results": "1000", "sends": "1000", "failures": "10", "errors_5xx": "0"}},
		attempts: []map[string]string{{"version": "1", "attempts": "1000", "p99": "300"}},
	}
	p := DefaultPolicy()
	p.IndexLag = 0 // the fake SLS has none
	c := &Controller{FC: fc, Querier: sls, Policy: p, Function: "send", Alias: "prod",
		Now: func() time.Time { return t0.Add(age) }}
	return c, fc, sls
}

func canaryRows(sls *fakeSLS, results, failures, errs int, p99 string) {
	itoa := strconv.Itoa
	sls.results = append(sls.results, map[string]string{"version": "2", "results": itoa(results), "sends": itoa(results),
		"failures": itoa(failures), "errors_5xx": itoa(errs)})
	sls.attempts = append(sls.attempts, map[string]string{"version": "2", "attempts": itoa(results), "p99": p99})
}

// conformance: FC-17
func TestPromoteClearsTheWeightExplicitly(t *testing.T) {
	c, fc, sls := fixture(0.25, 11*time.Minute)
	canaryRows(sls, 200, 2, 0, "310")
	d, err := c.Run(context.Background())
	if err != nil || d.Action != ActionPromote {
		t.Fatalf("Run = %+v, %v", d, err)
	}
	last := fc.updates[len(fc.updates)-1]
	if last == nil || len(last) != 0 || fc.alias.VersionID != "2" {
		t.Fatalf("promotion sent weights %v (want an explicit empty map), alias on %s", last, fc.alias.VersionID)
	}
}

func TestAdvancesStepByStep(t *testing.T) {
	c, fc, sls := fixture(0.05, 11*time.Minute)
	canaryRows(sls, 60, 0, 0, "300")
	d, err := c.Run(context.Background())
	if err != nil || d.Action != ActionAdvance || d.NextWeight != 0.25 || fc.alias.Weights["2"] != 0.25 || fc.alias.VersionID != "1" {
		t.Fatalf("Run = %+v, %v; alias %+v", d, err, fc.alias)
	}
	// The step's window starts at the alias's last change.
	if !sls.from.Equal(t0) {
		t.Fatalf("window from %s, want %s", sls.from, t0)
	}
}

func TestWaitsForSamplesThenSoak(t *testing.T) {
	c, fc, sls := fixture(0.05, 11*time.Minute)
	canaryRows(sls, 49, 0, 0, "300")
	if d, _ := c.Run(context.Background()); d.Action != ActionWait || len(fc.updates) != 0 {
		t.Fatalf("49 samples: %+v, updates %v", d, fc.updates)
	}
	c, fc, sls = fixture(0.05, 9*time.Minute)
	canaryRows(sls, 500, 0, 0, "300")
	if d, _ := c.Run(context.Background()); d.Action != ActionWait || len(fc.updates) != 0 {
		t.Fatalf("9 of 10 minutes: %+v, updates %v", d, fc.updates)
	}
}

func TestRollsBackAWorseCanaryBeforeItsSoakEnds(t *testing.T) {
	for name, rows := range map[string]func(*fakeSLS){
		"failures": func(s *fakeSLS) { canaryRows(s, 60, 20, 0, "300") },
		"5xx":      func(s *fakeSLS) { canaryRows(s, 60, 0, 5, "300") },
		"latency":  func(s *fakeSLS) { canaryRows(s, 60, 0, 0, "900") },
	} {
		t.Run(name, func(t *testing.T) {
			c, fc, sls := fixture(0.05, time.Minute)
			rows(sls)
			var recorded, notified []Decision
			c.Record = func(_ context.Context, d Decision) { recorded = append(recorded, d) }
			c.Notify = func(_ context.Context, d Decision) error { notified = append(notified, d); return nil }
			d, err := c.Run(context.Background())
			if err != nil || d.Action != ActionRollback {
				t.Fatalf("Run = %+v, %v", d, err)
			}
			last := fc.updates[len(fc.updates)-1]
			if w, ok := last["2"]; !ok || w != 0 || fc.alias.VersionID != "1" {
				t.Fatalf("rollback sent %v on version %s; want {2: 0} on 1", last, fc.alias.VersionID)
			}
			if len(recorded) != 1 || len(notified) != 1 || !strings.Contains(notified[0].Message().Text, "stable 1") {
				t.Fatalf("recorded %v notified %v", recorded, notified)
			}
		})
	}
}

func TestJudgesNothingOnAnIncompleteAnswer(t *testing.T) {
	c, fc, sls := fixture(0.05, time.Hour)
	canaryRows(sls, 600, 300, 0, "300")
	sls.incomplete = true
	if d, err := c.Run(context.Background()); err != nil || d.Action != ActionWait || len(fc.updates) != 0 {
		t.Fatalf("incomplete: %+v, %v, updates %v", d, err, fc.updates)
	}
}

func TestIdleWithoutACanary(t *testing.T) {
	c, fc, _ := fixture(0, time.Hour)
	var recorded int
	c.Record = func(context.Context, Decision) { recorded++ }
	if d, err := c.Run(context.Background()); err != nil || d.Action != ActionIdle || len(fc.updates) != 0 || recorded != 0 {
		t.Fatalf("weight 0: %+v, %v", d, err)
	}
}

func TestStartAndAbort(t *testing.T) {
	c, fc, sls := fixture(0, 0)
	fc.alias.Weights = nil
	if _, err := c.Start(context.Background(), "3"); err == nil {
		t.Fatal("started an unknown version")
	}
	if _, err := c.Start(context.Background(), "1"); err == nil {
		t.Fatal("started the alias's own version")
	}
	d, err := c.Start(context.Background(), "2")
	if err != nil || fc.alias.Weights["2"] != 0.05 {
		t.Fatalf("Start = %+v, %v; alias %+v", d, err, fc.alias)
	}
	if _, err := c.Start(context.Background(), "2"); err == nil {
		t.Fatal("started a second canary over a running one")
	}
	canaryRows(sls, 1, 0, 0, "1")
	d, err = c.Abort(context.Background(), "operator")
	if err != nil || d.Action != ActionAbort || fc.alias.Weights["2"] != 0 {
		t.Fatalf("Abort = %+v, %v; alias %+v", d, err, fc.alias)
	}
}

func TestPolicyParsing(t *testing.T) {
	p, err := ParsePolicy("steps=0.1,0.5,1 min_samples=5;soak=2s index_lag=0s")
	if err != nil || len(p.Steps) != 3 || p.MinSamples != 5 || p.Soak != 2*time.Second || p.IndexLag != 0 {
		t.Fatalf("ParsePolicy = %+v, %v", p, err)
	}
	for _, bad := range []string{"steps=0.1,0.5", "steps=0.5,0.1,1", "steps=0.5,0.5,1", "min_samples=0", "soak=x", "nope=1", "steps"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", bad)
		}
	}
}

// A threshold that can never compare true would load and then never roll a
// bad canary back on its figure: NaN (every comparison with it is false,
// so it passed the range checks), an infinity, or a rate increase of 1 or
// more (a difference of two rates never exceeds 1). The refusal names the
// variable.
func TestPolicyThresholdThatCanNeverTripIsRefused(t *testing.T) {
	for _, bad := range []string{
		"max_failure_increase=NaN", "max_5xx_increase=NaN", "max_latency_ratio=NaN", "min_latency_delta_ms=NaN",
		"max_failure_increase=5", "max_failure_increase=1", "max_5xx_increase=1.5",
		"max_latency_ratio=+Inf", "min_latency_delta_ms=Inf", "max_failure_increase=-0.1",
		"steps=NaN,1", "steps=0.05,NaN,1", "steps=0.05,inf,1",
	} {
		_, err := ParsePolicy(bad)
		if err == nil || !strings.Contains(err.Error(), "SMSFLOW_RELEASE_POLICY") {
			t.Errorf("ParsePolicy(%q) = %v, want a refusal naming SMSFLOW_RELEASE_POLICY", bad, err)
		}
	}
	for _, good := range []string{"max_failure_increase=0", "max_failure_increase=0.99", "max_latency_ratio=1", "min_latency_delta_ms=0"} {
		if _, err := ParsePolicy(good); err != nil {
			t.Errorf("ParsePolicy(%q): %v", good, err)
		}
	}
}

func TestVersionFilterRefusesNonNumbers(t *testing.T) {
	if _, err := versionFilter("1", `2" or *`); err == nil {
		t.Fatal("a version id with a quote reached the query")
	}
}

// A version whose cold start fails writes no sms.result: judged by its
// share of the traffic stable saw, it is rolled back, not waited for.
func TestRollsBackACanaryThatWritesNothing(t *testing.T) {
	c, fc, sls := fixture(0.05, 2*time.Minute)
	sls.results[0]["results"], sls.results[0]["sends"] = "3000", "3000" // ~158 expected at 5 %
	canaryRows(sls, 2, 0, 0, "300")
	d, err := c.Run(context.Background())
	if err != nil || d.Action != ActionRollback || fc.alias.Weights["2"] != 0 || !strings.Contains(d.Reason, "may not start") {
		t.Fatalf("silent canary: %+v, %v", d, err)
	}
	// A quiet service is no evidence: stable's 100 results predict ~5.
	c, fc, sls = fixture(0.05, 2*time.Minute)
	sls.results[0]["results"], sls.results[0]["sends"] = "100", "100"
	if d, _ := c.Run(context.Background()); d.Action != ActionWait || len(fc.updates) != 0 {
		t.Fatalf("quiet service: %+v", d)
	}
}

// queryHook runs hook on the first query: something happened to the alias
// while the run was judging the step on SLS.
type queryHook struct {
	alert.Querier
	hook func()
}

func (q *queryHook) Query(ctx context.Context, from, to time.Time, query string) (alert.Result, error) {
	if h := q.hook; h != nil {
		q.hook = nil
		h()
	}
	return q.Querier.Query(ctx, from, to, query)
}

// FC 3.0's UpdateAlias takes no condition, so a run must not write a
// decision over an alias that moved while it judged: an operator's abort
// must not be undone by the timer's advance, nor a rollback by a stale
// promote. The run re-reads the alias and leaves the new step to the next
// run.
// conformance: FC-19
func TestARunDoesNotOverwriteAnAliasThatMovedWhileItJudged(t *testing.T) {
	for name, tc := range map[string]struct {
		weight float64
		rows   func(*fakeSLS)
		moved  Alias // what another run or an operator left on the alias
	}{
		"an operator's abort, then a stale advance": {0.05, func(s *fakeSLS) { canaryRows(s, 60, 0, 0, "300") },
			Alias{Name: "prod", VersionID: "1", Weights: map[string]float64{"2": 0}, Modified: t0.Add(10 * time.Minute).Format(time.RFC3339)}},
		"a rollback, then a stale promote": {0.5, func(s *fakeSLS) { canaryRows(s, 600, 2, 0, "300") },
			Alias{Name: "prod", VersionID: "1", Weights: map[string]float64{"2": 0}, Modified: t0.Add(11 * time.Minute).Format(time.RFC3339)}},
		"an advance by another run": {0.05, func(s *fakeSLS) { canaryRows(s, 60, 0, 0, "300") },
			Alias{Name: "prod", VersionID: "1", Weights: map[string]float64{"2": 0.25}, Modified: t0.Add(11 * time.Minute).Format(time.RFC3339)}},
	} {
		t.Run(name, func(t *testing.T) {
			c, fc, sls := fixture(tc.weight, 11*time.Minute)
			tc.rows(sls)
			c.Querier = &queryHook{Querier: sls, hook: func() { fc.alias = tc.moved }}
			d, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(fc.updates) != 0 || !maps.Equal(fc.alias.Weights, tc.moved.Weights) || fc.alias.VersionID != tc.moved.VersionID {
				t.Fatalf("the run wrote %v over the moved alias (now %+v)", fc.updates, fc.alias)
			}
			if d.Action != ActionWait || !strings.Contains(d.Reason, "changed while this run judged") {
				t.Fatalf("decision %+v, want a wait that says the alias moved", d)
			}
		})
	}
	// An alias that did not move is acted on as before.
	c, fc, sls := fixture(0.05, 11*time.Minute)
	canaryRows(sls, 60, 0, 0, "300")
	if d, err := c.Run(context.Background()); err != nil || d.Action != ActionAdvance || len(fc.updates) != 1 {
		t.Fatalf("unmoved alias: %+v, %v, updates %v", d, err, fc.updates)
	}
}

// Two operators starting canaries at once: the second start finds the
// alias moved between its checks and its update, and refuses rather than
// replace the first one's canary.
// conformance: FC-19
func TestAStartRefusesAnAliasThatMovedWhileItChecked(t *testing.T) {
	c, fc, _ := fixture(0, time.Minute)
	fc.alias.Weights = nil
	fc.versions = append(fc.versions, Version{ID: "3"})
	fc.onList = func() {
		fc.alias.Weights, fc.alias.Modified = map[string]float64{"3": 0.05}, t0.Add(time.Minute).Format(time.RFC3339)
	}
	_, err := c.Start(context.Background(), "2")
	if err == nil || !strings.Contains(err.Error(), "changed") || len(fc.updates) != 0 || fc.alias.Weights["3"] != 0.05 {
		t.Fatalf("Start = %v, updates %v, alias %+v: want a refusal and the other canary kept", err, fc.updates, fc.alias)
	}
}

// A figure SLS answers that cannot be read (approx_percentile over no
// numeric latency_ms is null; a count can come back empty, NaN or
// negative) is not a healthy 0: the canary waits, and the reason names
// the figure. NaN must not reach the decision either (it compares false
// with every threshold, and `release step -json` cannot print it).
func TestUnreadableFiguresWaitAndSayWhich(t *testing.T) {
	for name, tc := range map[string]struct {
		field, value string
		attempts     bool
	}{
		"p99 null": {"p99", "null", true}, "p99 NaN": {"p99", "NaN", true}, "p99 empty": {"p99", "", true},
		"p99 missing": {"p99", "", true}, "p99 Inf": {"p99", "+Inf", true}, "p99 negative": {"p99", "-1", true},
		"attempts NaN": {"attempts", "NaN", true}, "results null": {"results", "null", false},
		"sends empty": {"sends", "", false}, "failures NaN": {"failures", "NaN", false},
		"errors_5xx negative": {"errors_5xx", "-3", false}, "results fraction": {"results", "200.5", false},
		"results missing": {"results", "", false}, "failures above sends": {"failures", "201", false},
	} {
		t.Run(name, func(t *testing.T) {
			c, fc, sls := fixture(0.25, 11*time.Minute)
			canaryRows(sls, 200, 0, 0, "300")
			rows := sls.results
			if tc.attempts {
				rows = sls.attempts
			}
			row := rows[len(rows)-1]
			row[tc.field] = tc.value
			if strings.HasSuffix(name, "missing") {
				delete(row, tc.field)
			}
			d, err := c.Run(context.Background())
			if err != nil || d.Action != ActionWait || len(fc.updates) != 0 {
				t.Fatalf("%s: %s, %v, updates %v, reason %q", name, d.Action, err, fc.updates, d.Reason)
			}
			if !strings.Contains(d.Reason, "version 2 "+tc.field) {
				t.Errorf("reason %q does not name version 2's %s", d.Reason, tc.field)
			}
			if _, err := json.Marshal(d); err != nil {
				t.Errorf("the decision cannot be printed as JSON: %v", err)
			}
		})
	}
}

// Without attempts SLS has no p99 (null): nothing to read, nothing judged.
func TestNoAttemptsNeedNoP99(t *testing.T) {
	c, _, sls := fixture(0.25, 11*time.Minute)
	canaryRows(sls, 200, 0, 0, "null")
	sls.attempts[len(sls.attempts)-1]["attempts"] = "0"
	if d, err := c.Run(context.Background()); err != nil || d.Action != ActionPromote {
		t.Fatalf("%s, %v: %q", d.Action, err, d.Reason)
	}
}

// Without the stable version's figures (no row in SLS's answer, or too
// few sends) there is nothing to compare the canary with: its rates would
// read as 0 and any canary would pass. The run waits and says so.
func TestWaitsWithoutStableFiguresToCompareWith(t *testing.T) {
	for name, stable := range map[string][]map[string]string{
		"no stable row":    nil,
		"few stable sends": {{"version": "1", "results": "49", "sends": "49", "failures": "0", "errors_5xx": "0"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, fc, sls := fixture(0.25, 11*time.Minute)
			sls.results, sls.attempts = stable, nil
			canaryRows(sls, 200, 3, 0, "300")
			d, err := c.Run(context.Background())
			if err != nil || d.Action != ActionWait || len(fc.updates) != 0 || !strings.Contains(d.Reason, "stable version 1 has") {
				t.Fatalf("%s, %v, updates %v, reason %q", d.Action, err, fc.updates, d.Reason)
			}
		})
	}
}

// A canary that refuses every request before sending (400/401: a bad
// token list) writes results but no send, so it has no failure rate. When
// stable's share of sends predicts many sends and the canary made under a
// tenth, it is rolled back; with too few results to tell, it waits: a
// version is never advanced or promoted on fewer than min_samples sends.
func TestACanaryThatRefusesWhatStableSendsIsNotPromoted(t *testing.T) {
	for _, tc := range []struct {
		results, sends string
		want           string
	}{
		{"200", "0", ActionRollback}, // stable sends all: 200 predicted
		{"200", "15", ActionRollback},
		{"90", "0", ActionWait}, // 90 predicted: under 2 x min_samples
		{"200", "40", ActionWait},
		{"200", "50", ActionPromote},
	} {
		c, fc, sls := fixture(0.25, 11*time.Minute)
		sls.results = append(sls.results, map[string]string{"version": "2", "results": tc.results, "sends": tc.sends,
			"failures": "0", "errors_5xx": "0"})
		d, err := c.Run(context.Background())
		if err != nil || d.Action != tc.want {
			t.Errorf("%s results, %s sends: %s (want %s), %v, updates %v, reason %q", tc.results, tc.sends, d.Action, tc.want, err, fc.updates, d.Reason)
		}
		if tc.want == ActionRollback && !strings.Contains(d.Reason, "refuses what stable sends") {
			t.Errorf("%s results, %s sends: reason %q", tc.results, tc.sends, d.Reason)
		}
	}
}

// querierFunc is an alert.Querier from a function.
type querierFunc func() (alert.Result, error)

func (q querierFunc) Query(context.Context, time.Time, time.Time, string) (alert.Result, error) {
	return q()
}

// Abort is the emergency brake: the canary's weight is 0 before SLS is
// asked anything, so an SLS outage (or a role without
// log:GetLogStoreLogs) cannot stop it. The abort is recorded all the same
// and the SLS failure reported after it.
func TestAbortSetsTheWeightToZeroBeforeAskingSLS(t *testing.T) {
	c, fc, _ := fixture(0.25, 11*time.Minute)
	var queriedBeforeUpdate bool
	c.Querier = querierFunc(func() (alert.Result, error) {
		queriedBeforeUpdate = queriedBeforeUpdate || len(fc.updates) == 0
		return alert.Result{}, errors.New("SLS unavailable")
	})
	var recorded []string
	c.Record = func(_ context.Context, d Decision) { recorded = append(recorded, d.Action) }
	d, err := c.Abort(context.Background(), "canary is broken")
	if w := fc.alias.Weights["2"]; w != 0 || len(fc.updates) != 1 || queriedBeforeUpdate {
		t.Fatalf("abort: weight %g, updates %v, SLS queried before the update: %v", w, fc.updates, queriedBeforeUpdate)
	}
	var after *UpdatedError
	if !errors.As(err, &after) || !strings.Contains(err.Error(), "SLS unavailable") {
		t.Errorf("err = %v, want the SLS failure reported after the update", err)
	}
	if d.Action != ActionAbort || d.Canary.Version != "2" || d.Weight != 0.25 || !slices.Equal(recorded, []string{ActionAbort}) {
		t.Errorf("decision %+v, recorded %v", d, recorded)
	}
}

// Whatever fails after the alias was updated (a notification here) comes
// with the decision, as an *UpdatedError: the caller shows the decision.
func TestAFailureAfterTheUpdateKeepsTheDecision(t *testing.T) {
	c, fc, sls := fixture(0.25, 11*time.Minute)
	canaryRows(sls, 200, 2, 0, "310")
	c.Notify = func(context.Context, Decision) error { return errors.New("webhook down") }
	d, err := c.Run(context.Background())
	var after *UpdatedError
	if !errors.As(err, &after) || d.Action != ActionPromote || len(fc.updates) != 1 {
		t.Fatalf("%s, %v, updates %v", d.Action, err, fc.updates)
	}
}
