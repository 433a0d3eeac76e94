package slsstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"smsflow/shared/alert"
	"smsflow/shared/slsclient"
)

// Querier runs rule queries with GetLogs in one logstore.
type Querier struct {
	Conn     *Conn
	Location Location
}

// maxRows is what a query without SQL may return; rule queries have SQL
// (one row per group, their LIMIT set by the rule compiler).
const maxRows = 100

// Query runs query over [from, to). An Incomplete answer is returned as
// such (Complete false, no error): the evaluator treats it as unknown,
// never as "no failures".
func (q *Querier) Query(ctx context.Context, from, to time.Time, query string) (alert.Result, error) {
	// The SDK takes no context: at least start no call past the deadline.
	if err := ctx.Err(); err != nil {
		return alert.Result{}, fmt.Errorf("rule query: %w", err)
	}
	client, loc, err := q.Conn.target(ctx, q.Location)
	if err != nil {
		return alert.Result{}, fmt.Errorf("rule query: %w", err)
	}
	rows, err := slsclient.Query(client, loc.Project, loc.Logstore, query, from, to, maxRows)
	switch {
	case errors.Is(err, slsclient.ErrIncomplete):
		return alert.Result{Rows: rows, Complete: false}, nil
	case err != nil:
		return alert.Result{}, err
	}
	return alert.Result{Rows: rows, Complete: true}, nil
}
