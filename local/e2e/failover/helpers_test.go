package failover

import (
	"context"
	"testing"
	"time"

	"smsflow/local/stack"
	"smsflow/local/testkit"
)

// startStack starts a stack of its own; it is closed when t ends.
func startStack(t *testing.T, o stack.Options) *stack.Stack {
	t.Helper()
	o.FunctionOutput = &testkit.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, o)
	if err != nil {
		t.Fatalf("starting the local stack: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
