package dispatch

import (
	"context"

	"smsflow/shared/obs"
)

// FCHandler is the function's entry point for its EventBridge trigger: the
// invocation's events are shipped before it answers (FC 3.0 may freeze the
// instance right after).
func FCHandler(d *Dispatcher, s *obs.Shipper) func(context.Context, []byte) (Summary, error) {
	return func(ctx context.Context, payload []byte) (Summary, error) {
		ctx = obs.NewBatch(obs.WithInvocation(ctx))
		defer s.Flush(ctx)
		return d.Handle(ctx, payload)
	}
}
