package sls

import (
	"database/sql/driver"

	"modernc.org/sqlite"
)

// arbitrary and max_by pick one row's value out of a group. The alert rules
// use them to attach an example trace id to an aggregate (Presto semantics:
// arbitrary returns some non-null value; max_by(x, y) the x of the row
// with the largest non-null y). Kept apart from sql_funcs.go so that the
// addition stays self-contained.
func init() {
	sqlFunctions["arbitrary"] = "arbitrary"
	sqlFunctions["max_by"] = "max_by"
	aggregateFunctions["arbitrary"] = true
	aggregateFunctions["max_by"] = true
	sqlite.MustRegisterFunction("arbitrary", &sqlite.FunctionImpl{NArgs: 1, Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &arbitraryAgg{}, nil }})
	sqlite.MustRegisterFunction("max_by", &sqlite.FunctionImpl{NArgs: 2, Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &maxByAgg{}, nil }})
}

// arbitraryAgg keeps the first non-null value (deterministic, which Presto
// does not promise but tests appreciate).
type arbitraryAgg struct{ v driver.Value }

func (a *arbitraryAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if a.v == nil && args[0] != nil {
		a.v = args[0]
	}
	return nil
}
func (a *arbitraryAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return errNoWindow
}
func (a *arbitraryAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error) { return a.v, nil }
func (a *arbitraryAgg) Final(*sqlite.FunctionContext)                             {}

// maxByAgg keeps x of the row with the largest y; rows with a null or
// non-numeric y are skipped.
type maxByAgg struct {
	x    driver.Value
	best float64
	seen bool
}

func (a *maxByAgg) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	y, ok := toFloat(args[1])
	if !ok || args[1] == nil {
		return nil
	}
	if !a.seen || y > a.best {
		a.x, a.best, a.seen = args[0], y, true
	}
	return nil
}
func (a *maxByAgg) WindowInverse(*sqlite.FunctionContext, []driver.Value) error { return errNoWindow }
func (a *maxByAgg) WindowValue(*sqlite.FunctionContext) (driver.Value, error)   { return a.x, nil }
func (a *maxByAgg) Final(*sqlite.FunctionContext)                               {}
