package release

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"smsflow/shared/alert"
)

// Figures are one version's outcomes over a step's window, from SLS.
type Figures struct {
	Version string `json:"version"`
	// Results counts sms.result events but replays; Sends those of send
	// decisions.
	Results int64 `json:"results"`
	Sends   int64 `json:"sends"`
	// FailureRate is failed or unknown sends over sends.
	FailureRate float64 `json:"failure_rate"`
	// Rate5xx is the share of Results answered with a 5xx of ours.
	Rate5xx float64 `json:"rate_5xx"`
	// Attempts counts sms.attempt events (calls to Alibaba); P99MS is their
	// p99 latency_ms (0 without attempts).
	Attempts int64   `json:"attempts"`
	P99MS    float64 `json:"p99_ms"`
}

// ErrIncomplete: SLS answered an incomplete result. The controller then
// judges nothing this run (an undercount could hide failures).
var ErrIncomplete = errors.New("release: SLS answered an incomplete result")

// resultQuery and attemptQuery aggregate per version in SLS, like the
// alert rules (one row per version). Failures are the alert's: failed or
// unknown send decisions; an answer of ours with a 5xx is counted apart.
const (
	// Replays are left out of results and 5xx (issue 10.10): each retry of
	// a key whose stored answer is a 504 replays it, from one Alibaba call.
	// Subtractions, not "decision <> 'replayed'", so that events without
	// a decision (older versions) still count.
	resultQuery = `event: "sms.result" and (%s) | SELECT version, ` +
		`count(1) - count_if(decision = 'replayed') AS results, ` +
		`count_if(decision = 'send') AS sends, ` +
		`count_if(decision = 'send' AND status IN ('failed', 'unknown')) AS failures, ` +
		`count_if(http_status >= 500) - count_if(http_status >= 500 AND decision = 'replayed') AS errors_5xx GROUP BY version LIMIT 10`
	attemptQuery = `event: "sms.attempt" and (%s) | SELECT version, count(1) AS attempts, ` +
		`approx_percentile(latency_ms, 0.99) AS p99 GROUP BY version LIMIT 10`
)

// versionFilter is the search part matching the given versions. Version
// ids are FC's (digits); anything else is refused so nothing reaches the
// query unquoted.
func versionFilter(versions ...string) (string, error) {
	parts := make([]string, len(versions))
	for i, v := range versions {
		if _, err := strconv.ParseUint(v, 10, 32); err != nil {
			return "", fmt.Errorf("release: version id %q is not a number", v)
		}
		parts[i] = fmt.Sprintf(`version: "%s"`, v)
	}
	return strings.Join(parts, " or "), nil
}

// measure reads both versions' figures over [from, to). A figure SLS
// answered that cannot be read (missing, null, NaN, negative, not a whole
// count) makes the answer unreadable: the figures come back as far as
// they were read, with an error wrapping ErrUnreadable that names them.
// Read as 0 they would count as healthy (a null p99 as 0 ms), and NaN
// compares false with every threshold.
func measure(ctx context.Context, q alert.Querier, from, to time.Time, stable, canary string) (Figures, Figures, error) {
	filter, err := versionFilter(stable, canary)
	if err != nil {
		return Figures{}, Figures{}, err
	}
	figs := map[string]*Figures{stable: {Version: stable}, canary: {Version: canary}}
	rows, err := rowsOf(ctx, q, from, to, fmt.Sprintf(resultQuery, filter))
	if err != nil {
		return Figures{}, Figures{}, err
	}
	var bad []string
	for _, row := range rows {
		f, ok := figs[row["version"]]
		if !ok {
			continue
		}
		r := reader{version: f.Version, row: row, bad: &bad}
		f.Results, f.Sends = r.count("results"), r.count("sends")
		failures, errs := r.count("failures"), r.count("errors_5xx")
		r.atMost("sends", f.Sends, "results", f.Results)
		r.atMost("failures", failures, "sends", f.Sends)
		r.atMost("errors_5xx", errs, "results", f.Results)
		f.FailureRate = ratio(failures, f.Sends)
		f.Rate5xx = ratio(errs, f.Results)
	}
	if rows, err = rowsOf(ctx, q, from, to, fmt.Sprintf(attemptQuery, filter)); err != nil {
		return Figures{}, Figures{}, err
	}
	for _, row := range rows {
		f, ok := figs[row["version"]]
		if !ok {
			continue
		}
		r := reader{version: f.Version, row: row, bad: &bad}
		if f.Attempts = r.count("attempts"); f.Attempts > 0 {
			// Without attempts SLS has no p99 to give (null), and none is
			// judged; with them, it must be a number.
			f.P99MS = r.number("p99")
		}
	}
	if len(bad) > 0 {
		err = fmt.Errorf("%w: %s", ErrUnreadable, strings.Join(bad, "; "))
	}
	return *figs[stable], *figs[canary], err
}

// ErrUnreadable: SLS answered a figure that cannot be read. The controller
// then waits, naming it: a figure it cannot read never counts as healthy.
var ErrUnreadable = errors.New("SLS answered figures that cannot be read")

// reader reads one SLS row's figures strictly, noting in bad each one
// that is not a finite number of at least 0 (a count: a whole one).
type reader struct {
	version string
	row     map[string]string
	bad     *[]string
}

func (r reader) number(key string) float64 {
	raw, ok := r.row[key]
	f, err := strconv.ParseFloat(raw, 64)
	if !ok || err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		if !ok {
			raw = "(missing)"
		} else {
			raw = strconv.Quote(shorten(raw))
		}
		*r.bad = append(*r.bad, fmt.Sprintf("version %s %s %s", r.version, key, raw))
		return 0
	}
	return f
}

func (r reader) count(key string) int64 {
	f := r.number(key)
	if f != math.Trunc(f) || f > math.MaxInt64/2 {
		*r.bad = append(*r.bad, fmt.Sprintf("version %s %s %s is not a count", r.version, key, strconv.Quote(shorten(r.row[key]))))
		return 0
	}
	return int64(f)
}

// atMost notes a part larger than its whole (failures above sends...).
func (r reader) atMost(part string, n int64, whole string, of int64) {
	if n > of {
		*r.bad = append(*r.bad, fmt.Sprintf("version %s %s %d above %s %d", r.version, part, n, whole, of))
	}
}

// shorten keeps what is quoted from SLS short.
func shorten(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "..."
	}
	return s
}

// rowsOf runs one query; an incomplete answer is ErrIncomplete.
func rowsOf(ctx context.Context, q alert.Querier, from, to time.Time, query string) ([]map[string]string, error) {
	res, err := q.Query(ctx, from, to, query)
	if err != nil {
		return nil, fmt.Errorf("release: query: %w", err)
	}
	if !res.Complete {
		return nil, ErrIncomplete
	}
	return res.Rows, nil
}

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// verdict says why the canary is worse than stable, or "".
func (p Policy) verdict(stable, canary Figures) string {
	if d := canary.FailureRate - stable.FailureRate; canary.Sends > 0 && d > p.MaxFailureIncrease {
		return fmt.Sprintf("failure rate %.3f vs stable %.3f (more than +%.3f)", canary.FailureRate, stable.FailureRate, p.MaxFailureIncrease)
	}
	if d := canary.Rate5xx - stable.Rate5xx; d > p.Max5xxIncrease {
		return fmt.Sprintf("5xx rate %.3f vs stable %.3f (more than +%.3f)", canary.Rate5xx, stable.Rate5xx, p.Max5xxIncrease)
	}
	// Latency is judged only with enough calls on both sides: a p99 of a
	// handful of calls is one slow call.
	if canary.Attempts >= p.MinSamples && stable.Attempts >= p.MinSamples &&
		canary.P99MS > stable.P99MS*p.MaxLatencyRatio && canary.P99MS-stable.P99MS > p.MinLatencyDeltaMS {
		return fmt.Sprintf("p99 Alibaba-call latency %.0f ms vs stable %.0f ms (more than x%.2f and +%.0f ms)",
			canary.P99MS, stable.P99MS, p.MaxLatencyRatio, p.MinLatencyDeltaMS)
	}
	return ""
}

// silent says why a canary with (almost) no results is judged broken: its
// share of the traffic should have given it at least twice min_samples,
// judging by the stable version's results, yet it wrote under a tenth of
// that. A version that cannot start (its cold start fails) answers FC's
// errors and writes no sms.result at all; without this it would wait at
// its first step forever.
func (p Policy) silent(stable, canary Figures, weight float64) string {
	if weight <= 0 || weight >= 1 {
		return ""
	}
	expected := float64(stable.Results) * weight / (1 - weight)
	if !p.farBelow(canary.Results, expected) {
		return ""
	}
	return fmt.Sprintf("%d results where its share (%g) of stable's %d predicts %.0f: the version may not start or answer",
		canary.Results, weight, stable.Results, expected)
}

// refusing says why a canary that refuses (before sending) what the stable
// version sends is judged broken: at stable's share of sends among
// results its results should have given at least twice min_samples sends,
// yet it sent under a tenth of that. A version that answers every request
// 400 or 401 (a bad token list, a broken validation) writes results but
// no send, so it has no failure rate to judge.
func (p Policy) refusing(stable, canary Figures) string {
	if stable.Results == 0 {
		return ""
	}
	expected := float64(canary.Results) * float64(stable.Sends) / float64(stable.Results)
	if !p.farBelow(canary.Sends, expected) {
		return ""
	}
	return fmt.Sprintf("%d sends of %d results where stable's share of sends (%d of %d) predicts %.0f: the version refuses what stable sends",
		canary.Sends, canary.Results, stable.Sends, stable.Results, expected)
}

// farBelow: expected is at least twice min_samples and n under a tenth
// of it. Far enough from chance to judge on.
func (p Policy) farBelow(n int64, expected float64) bool {
	return expected >= 2*float64(p.MinSamples) && float64(n) < expected/10
}
