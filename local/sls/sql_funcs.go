package sls

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// SLS functions SQLite lacks, registered once per process (modernc's
// registry is global and applies to connections opened afterwards).
var registerOnce sync.Once

func registerSQLFunctions() {
	registerOnce.Do(func() {
		sqlite.MustRegisterFunction("count_if", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &countIf{}, nil }})
		sqlite.MustRegisterFunction("approx_percentile", &sqlite.FunctionImpl{NArgs: 2, Deterministic: true,
			MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &percentile{}, nil }})
		sqlite.MustRegisterDeterministicScalarFunction("date_trunc", 2, dateTrunc)
		sqlite.MustRegisterDeterministicScalarFunction("sls_round", -1, slsRound)
	})
}

var errNoWindow = errors.New("window functions are not supported by the local SLS emulator")

// countIf is Presto's count_if(boolean): rows where the argument is true.
type countIf struct{ n int64 }

func (c *countIf) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if _, ok := args[0].(string); ok {
		// Presto wants a boolean: a text field is refused, not counted as 0.
		return fmt.Errorf("Unexpected parameters (varchar) for function count_if. Expected: count_if(boolean)")
	}
	if truthy(args[0]) {
		c.n++
	}
	return nil
}
func (c *countIf) WindowInverse(*sqlite.FunctionContext, []driver.Value) error { return errNoWindow }
func (c *countIf) WindowValue(*sqlite.FunctionContext) (driver.Value, error)   { return c.n, nil }
func (c *countIf) Final(*sqlite.FunctionContext)                               {}

func truthy(v driver.Value) bool {
	switch x := v.(type) {
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	}
	return false
}

// percentile implements approx_percentile(x, p) exactly, by nearest rank
// (the value at position ceil(p*n) of the sorted inputs); NULLs are skipped.
type percentile struct {
	values  []float64
	allInts bool
	seen    bool
	p       float64
}

func (a *percentile) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	p, ok := toFloat(args[1])
	if !ok || p < 0 || p > 1 {
		return fmt.Errorf("approx_percentile: percentile must be between 0 and 1")
	}
	a.p = p
	if !a.seen {
		a.allInts, a.seen = true, true
	}
	switch x := args[0].(type) {
	case nil:
		return nil
	case int64:
		a.values = append(a.values, float64(x))
	case string:
		// Presto checks the type, not the content: a text field (or a
		// string) is refused even when it holds digits.
		return fmt.Errorf("Unexpected parameters (varchar, double) for function approx_percentile. " +
			"Expected: approx_percentile(bigint, double), approx_percentile(double, double)")
	default:
		f, ok := toFloat(x)
		if !ok {
			return fmt.Errorf("approx_percentile: %v is not a number", x)
		}
		a.allInts = false
		a.values = append(a.values, f)
	}
	return nil
}

func (a *percentile) WindowInverse(*sqlite.FunctionContext, []driver.Value) error { return errNoWindow }

func (a *percentile) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if len(a.values) == 0 {
		return nil, nil
	}
	sorted := append([]float64(nil), a.values...)
	sort.Float64s(sorted)
	rank := int(math.Ceil(a.p*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	if a.allInts {
		return int64(sorted[rank]), nil
	}
	return sorted[rank], nil
}

func (a *percentile) Final(*sqlite.FunctionContext) {}

func toFloat(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// dateTrunc is SLS's date_trunc(unit, unixSeconds) on a unix time: it
// answers unix seconds truncated in UTC (real SLS uses the project's zone).
func dateTrunc(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	unit, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("date_trunc: unit must be a string")
	}
	if args[1] == nil {
		return nil, nil
	}
	secs, ok := toFloat(args[1])
	if !ok {
		return nil, fmt.Errorf("date_trunc: %v is not a unix time", args[1])
	}
	t := time.Unix(int64(secs), 0).UTC()
	var out time.Time
	switch strings.ToLower(unit) {
	case "second":
		out = t
	case "minute":
		out = t.Truncate(time.Minute)
	case "hour":
		out = t.Truncate(time.Hour)
	case "day":
		out = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case "week": // ISO weeks start on Monday
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		out = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case "month":
		out = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		out = time.Date(t.Year(), ((t.Month()-1)/3)*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "year":
		out = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	default:
		return nil, fmt.Errorf("date_trunc: unit %q is not supported", unit)
	}
	return out.Unix(), nil
}

// slsRound is Presto's round(x[, d]): half away from zero, and an integer
// stays an integer (SQLite's round always answers a float).
func slsRound(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("round: expects 1 or 2 arguments")
	}
	d := int64(0)
	if len(args) == 2 {
		n, ok := args[1].(int64)
		if !ok {
			return nil, fmt.Errorf("round: digits must be an integer")
		}
		d = n
	}
	switch x := args[0].(type) {
	case nil:
		return nil, nil
	case int64:
		if d >= 0 {
			return x, nil
		}
		p := math.Pow(10, float64(-d))
		return int64(math.Round(float64(x)/p) * p), nil
	default:
		f, ok := toFloat(x)
		if !ok {
			return nil, fmt.Errorf("round: %v is not a number", x)
		}
		p := math.Pow(10, float64(d))
		return math.Round(f*p) / p, nil
	}
}
