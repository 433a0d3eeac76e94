package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"smsflow/local/stack"
)

// shared is the stack most tests use; tests that need another shape of
// stack start their own.
var (
	shared    *stack.Stack
	sharedOut *syncBuffer
)

func TestMain(m *testing.M) {
	sharedOut = &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	s, err := stack.Start(ctx, stack.Options{
		FunctionOutput: sharedOut,
		// The minimum Alibaba advises, so the latency fault can outlast it.
		SendEnv: map[string]string{"SMSFLOW_DYSMS_TIMEOUT": "1s", "SMSFLOW_DYSMS_BACKOFF": "20ms"},
		// These tests count a send's own events; receipts, which join the
		// same trace, have their own tests (local/stack/receipts_e2e_test.go).
		Receipts: stack.ReceiptOptions{Disabled: true},
	})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the local stack:", err)
		os.Exit(1)
	}
	shared = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}
