package release

import (
	"context"
	"errors"
	"fmt"
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

// measure reads both versions' figures over [from, to).
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
	for _, row := range rows {
		f, ok := figs[row["version"]]
		if !ok {
			continue
		}
		f.Results, f.Sends = num(row["results"]), num(row["sends"])
		f.FailureRate = ratio(num(row["failures"]), f.Sends)
		f.Rate5xx = ratio(num(row["errors_5xx"]), f.Results)
	}
	if rows, err = rowsOf(ctx, q, from, to, fmt.Sprintf(attemptQuery, filter)); err != nil {
		return Figures{}, Figures{}, err
	}
	for _, row := range rows {
		f, ok := figs[row["version"]]
		if !ok {
			continue
		}
		f.Attempts = num(row["attempts"])
		f.P99MS, _ = strconv.ParseFloat(row["p99"], 64)
	}
	return *figs[stable], *figs[canary], nil
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

func num(s string) int64 {
	n, _ := strconv.ParseFloat(s, 64)
	return int64(n)
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
	if expected < 2*float64(p.MinSamples) || float64(canary.Results) >= expected/10 {
		return ""
	}
	return fmt.Sprintf("%d results where its share (%g) of stable's %d predicts %.0f: the version may not start or answer",
		canary.Results, weight, stable.Results, expected)
}
