package metricsfeed

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"smsflow/shared/redmetrics"
)

// Querier runs an SLS `search | SQL` over [from, to).
type Querier func(ctx context.Context, query string, from, to time.Time) ([]map[string]string, error)

// Feeder runs the metric jobs window after window.
type Feeder struct {
	Query    Querier
	WriteURL string        // Prometheus's /api/v1/write
	Window   time.Duration // each sample is the increment over one window
	Client   *http.Client
}

// RunWindow queries the window that ends at end and writes its samples
// stamped at end. Each job is written on its own: one failing query does
// not hold the others' points back.
func (f *Feeder) RunWindow(ctx context.Context, end time.Time) error {
	c := f.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	var errs []error
	for _, j := range redmetrics.Jobs() {
		rows, err := f.Query(ctx, j.Query, end.Add(-f.Window), end)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.Name, err))
			continue
		}
		if samples := j.Samples(rows); len(samples) > 0 {
			if err := remoteWrite(ctx, c, f.WriteURL, samples, end); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", j.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Run feeds every window, aligned to the window's multiples, until ctx
// ends; errors go to report (a Prometheus restart must not stop the feed).
func (f *Feeder) Run(ctx context.Context, report func(error)) {
	for {
		next := time.Now().Truncate(f.Window).Add(f.Window)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := f.RunWindow(ctx, next); err != nil && ctx.Err() == nil {
			report(err)
		}
	}
}
