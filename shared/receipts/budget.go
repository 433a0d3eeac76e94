package receipts

import (
	"context"
	"time"
)

// AlibabaAnswerTimeout is how long Alibaba waits for the answer to a push;
// a later answer counts as a failed push (doc 101508; conformance RC-05).
const AlibabaAnswerTimeout = 700 * time.Millisecond

// DefaultAnswerBudget is the part of AlibabaAnswerTimeout the function
// spends between receiving a push and answering it. The rest is for the
// network and FC's gateway, which we do not see.
const DefaultAnswerBudget = 500 * time.Millisecond

// The budget's split between the steps of Record, as shares of what is
// left when each step starts. The claims are one Redis round trip in the
// VPC (a few ms) and are only an optimisation: a third is plenty, and past
// it the receipts are recorded unchecked. Storing in SLS is what the answer
// depends on, so it gets most of the rest; the last tenth keeps or releases
// the claims.
const (
	claimShare = 1.0 / 3
	storeShare = 0.9
)

// phase bounds one step of Record to share of the time left before ctx's
// deadline. Without a deadline the step is unbounded (tests, and callers
// that bound it themselves).
func phase(ctx context.Context, share float64) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(float64(time.Until(deadline))*share))
}
