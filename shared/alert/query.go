package alert

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Querier runs one SLS query over [from, to). The lead backs it with
// GetLogs; tests with a fake.
type Querier interface {
	Query(ctx context.Context, from, to time.Time, query string) (Result, error)
}

// Result of a query. SLS returns every value as a string.
type Result struct {
	Rows []map[string]string
	// Complete is SLS's IsComplete(): an incomplete result undercounts and
	// is treated as unknown, never as "no failures".
	Complete bool
}

// observations turns result rows into one observation per group.
func observations(r Rule, rows []map[string]string) ([]observation, error) {
	out := make([]observation, 0, len(rows))
	for i, row := range rows {
		o := observation{Example: cleanNull(row[ColExample])}
		if len(r.GroupBy) > 0 {
			o.Group = make(map[string]string, len(r.GroupBy))
			for _, g := range r.GroupBy {
				v, ok := row[g]
				if !ok {
					return nil, fmt.Errorf("row %d: no column %q for group_by", i+1, g)
				}
				o.Group[g] = v
			}
		}
		if s, ok := row[ColSamples]; ok {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n < 0 || n > math.MaxInt64 || math.IsNaN(n) {
				return nil, fmt.Errorf("row %d: column %s: %q is not a count", i+1, ColSamples, s)
			}
			o.Samples = int64(n)
		} else if r.MinSamples > 0 {
			return nil, fmt.Errorf("row %d: no column %s (the rule has min_samples)", i+1, ColSamples)
		}
		v, ok := row[ColValue]
		if !ok {
			return nil, fmt.Errorf("row %d: no column %s", i+1, ColValue)
		}
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case o.Samples == 0 && r.builtinRatio():
			// The kind's SQL divides by greatest(count, 1), so an empty
			// window answers 0: no sends is not "0 % failed", nor are no
			// receipts "0 % delivered". No data, as for a quantile over no
			// rows, whatever min_samples says (a lull neither fires nor
			// resolves the rule).
			o.Value = math.NaN()
		case err == nil && math.IsInf(f, 0):
			// Infinity (a division by zero in double SQL) cannot be
			// stored in a state record: the append, and with it the
			// whole run, would fail.
			return nil, fmt.Errorf("row %d: column %s: %q is not a finite number", i+1, ColValue, v)
		case err == nil && !math.IsNaN(f):
			o.Value = f
		case o.Samples == 0 && cleanNull(v) == "":
			// A quantile over no rows is null: no data, not an error.
			o.Value = math.NaN()
		default:
			return nil, fmt.Errorf("row %d: column %s: %q is not a number", i+1, ColValue, v)
		}
		out = append(out, o)
	}
	return out, nil
}

// builtinRatio reports whether the rule is a built-in kind whose value is
// a share of its samples (failure_rate, throttle_rate, delivery_rate).
func (r Rule) builtinRatio() bool {
	d, ok := kindDefaults[r.Kind]
	return ok && d.unit == UnitRatio
}

// cleanNull maps SLS's rendering of SQL NULL to "".
func cleanNull(s string) string {
	if s == "null" || s == "NULL" {
		return ""
	}
	return s
}
