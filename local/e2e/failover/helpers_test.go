package failover

import (
	"context"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/slsclient"
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

// eventsOf answers the events of a trace stored in the local SLS.
func eventsOf(t *testing.T, s *stack.Stack, traceID string) []map[string]string {
	t.Helper()
	client := slsclient.New(s.SLSAddr, sls.NewStaticCredentialsProvider(sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""), 10*time.Second)
	now := time.Now()
	rows, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore, "trace_id: "+traceID, now.Add(-time.Hour), now.Add(time.Minute), 100)
	if err != nil {
		t.Fatalf("events of %s: %v", traceID, err)
	}
	return rows
}
