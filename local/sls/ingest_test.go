package sls

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// conformance: SLS-12
func TestPutLogsAnswersBeforeStoringAndReadsWaitForIt(t *testing.T) {
	in := newIngest()
	release := make(chan struct{})
	var mu sync.Mutex
	var stored []int
	go in.run(func(_ context.Context, g pendingGroup) error {
		<-release
		mu.Lock()
		stored = append(stored, g.shard)
		mu.Unlock()
		return nil
	})
	for i := 0; i < 3; i++ {
		if err := in.accept(pendingGroup{shard: i}); err != nil { // must not wait for the blocked store
			t.Fatal(err)
		}
	}
	settled := make(chan error, 1)
	go func() { settled <- in.settle() }()
	select {
	case <-settled:
		t.Fatal("settle returned while the accepted groups were not stored")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-settled; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(stored) != "[0 1 2]" {
		t.Fatalf("stored %v, want all three in the order accepted", stored)
	}
	if err := in.close(); err != nil {
		t.Fatal(err)
	}
}

// conformance: SLS-12
func TestAStoringFailureRefusesLaterWritesAndFailsReads(t *testing.T) {
	in := newIngest()
	broken := errors.New("disk full")
	go in.run(func(_ context.Context, g pendingGroup) error {
		if g.shard == 1 {
			return broken
		}
		return nil
	})
	for i := 0; i < 3; i++ {
		_ = in.accept(pendingGroup{shard: i})
	}
	if err := in.settle(); !errors.Is(err, broken) {
		t.Fatalf("settle after a failed store: %v, want the failure", err)
	}
	if err := in.accept(pendingGroup{}); !errors.Is(err, broken) {
		t.Fatalf("accept after a failed store: %v, want a refusal naming it", err)
	}
	if err := in.close(); !errors.Is(err, broken) {
		t.Fatalf("close: %v", err)
	}
}

func TestCloseStoresWhatWasAcceptedAndRefusesMore(t *testing.T) {
	in := newIngest()
	var n int
	go in.run(func(context.Context, pendingGroup) error { time.Sleep(time.Millisecond); n++; return nil })
	for i := 0; i < 20; i++ {
		if err := in.accept(pendingGroup{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.close(); err != nil {
		t.Fatal(err)
	}
	if n != 20 {
		t.Fatalf("stored %d of 20 accepted groups before close returned", n)
	}
	if err := in.accept(pendingGroup{}); !errors.Is(err, errIngestClosed) {
		t.Fatalf("accept after close: %v", err)
	}
}

// Through the SDK: concurrent writers, then one read sees every log, and a
// shard's cursor reads them in the order they were accepted.
// conformance: SLS-12
func TestEveryAcceptedLogIsReadAfterConcurrentWrites(t *testing.T) {
	env := newTestEnv(t, Options{})
	// Also the SDK client's first call: it fills its settings in lazily
	// without a lock, so concurrent first calls race inside the SDK.
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				g := groupOf(logOf(now, "writer", fmt.Sprint(w), "n", fmt.Sprint(i)))
				if err := env.client.PutLogs(testProject, testLogstore, g); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	resp := mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "* | SELECT count(*) AS c")
	if len(resp.Logs) != 1 || resp.Logs[0]["c"] != fmt.Sprint(writers*each) {
		t.Fatalf("count right after the writes: %v, want %d", resp.Logs, writers*each)
	}
}

// The catalog cache behind PutLogs (catalog.go) forgets a deleted logstore:
// writing to it is refused as SLS refuses an unknown logstore, and one
// created again under the same name starts empty.
func TestAWriteAfterDeletingTheLogstoreIsRefused(t *testing.T) {
	env := newTestEnv(t, Options{})
	now := time.Now()
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "k", "before"))); err != nil {
		t.Fatal(err)
	}
	if err := env.client.DeleteLogStore(testProject, testLogstore); err != nil {
		t.Fatal(err)
	}
	err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "k", "after")))
	asSLSError(t, err, codeLogStoreNotExist, 404)
	if err := env.srv.EnsureLogstore(testProject, testLogstore); err != nil {
		t.Fatal(err)
	}
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	resp := mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "* | SELECT count(*) AS c")
	if len(resp.Logs) != 1 || resp.Logs[0]["c"] != "0" {
		t.Fatalf("the re-created logstore holds %v, want nothing", resp.Logs)
	}
}
