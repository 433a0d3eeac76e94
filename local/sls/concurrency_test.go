package sls

import (
	"sync"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// The database has a single connection; writers, SQL readers and index
// changes must queue on it, not deadlock or lose writes.
func TestConcurrentWritesQueriesAndIndexChanges(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "status", "sent", "latency_ms", "1"))); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := env.client.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{From: now.Unix(), To: now.Unix() + 1,
					Query: "* | SELECT sum(latency_ms) AS s"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := env.client.UpdateIndex(testProject, testLogstore, testIndex()); err != nil {
			errs <- err
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("concurrent calls did not finish: deadlock?")
	}
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent call failed: %v", err)
	}
	resp := mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "* | SELECT sum(latency_ms) AS s")
	if resp.Logs[0]["s"] != "40" {
		t.Fatalf("sum after 40 writes = %v", resp.Logs)
	}
}
