package netx

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// goid is the running goroutine's id, read from its stack header
// ("goroutine 42 [running]:"): the test's way to tell goroutines apart.
func goid(t *testing.T) uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := bytes.Fields(buf)
	if len(f) < 2 {
		t.Errorf("unexpected stack header %q", buf)
		return 0
	}
	id, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		t.Errorf("stack header %q: %v", buf, err)
	}
	return id
}

func TestDetachedKeepsOneGoroutineForCallsOneAfterAnother(t *testing.T) {
	var d Detached
	var ids []uint64
	for i := 0; i < 50; i++ {
		var id uint64
		<-d.Go(func() { id = goid(t) })
		ids = append(ids, id)
	}
	for i, id := range ids {
		if id != ids[0] {
			t.Fatalf("call %d ran on goroutine %d, call 0 on %d: the goroutine (and its grown stack) was not kept", i, id, ids[0])
		}
	}
	if ids[0] == goid(t) {
		t.Fatal("the call ran on the caller's goroutine: nobody could stop waiting for it")
	}
}

func TestDetachedDoesNotQueueBehindAStuckCall(t *testing.T) {
	var d Detached
	var keptID uint64
	<-d.Go(func() { keptID = goid(t) })

	release := make(chan struct{})
	stuck := d.Go(func() { <-release }) // a call its caller gave up on
	var otherID uint64
	select {
	case <-d.Go(func() { otherID = goid(t) }):
	case <-time.After(10 * time.Second):
		t.Fatal("a call waited behind a stuck one")
	}
	if otherID == keptID {
		t.Fatal("the second call claims to have run on the busy goroutine")
	}

	close(release)
	<-stuck
	var againID uint64
	<-d.Go(func() { againID = goid(t) })
	if againID != keptID {
		t.Fatalf("after the stuck call ended, a call ran on goroutine %d, not the kept %d", againID, keptID)
	}
}

func TestDetachedUnderConcurrentCallers(t *testing.T) {
	var d Detached
	const callers, calls = 8, 200
	results := make(chan int, callers*calls)
	for c := 0; c < callers; c++ {
		go func() {
			for i := 0; i < calls; i++ {
				v := 0
				<-d.Go(func() { v = i + 1 })
				results <- v // read after done: the race detector checks the handoff
			}
		}()
	}
	sum := 0
	for i := 0; i < callers*calls; i++ {
		sum += <-results
	}
	if want := callers * calls * (calls + 1) / 2; sum != want {
		t.Fatalf("sum of results %d, want %d: a call was lost or ran twice", sum, want)
	}
}

// deep recurses through frames of about 512 bytes, as far down as an SDK
// call goes (HTTP client, retries, signing: tens of KiB of stack).
//
//go:noinline
func deep(n int) byte {
	var pad [512]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return pad[0]
	}
	return deep(n-1) + pad[n%len(pad)]
}

const deepFrames = 64 // ~32 KiB

// BenchmarkDeepCall compares a fresh goroutine per call (what the
// clients did) with Detached for a call that needs a grown stack.
func BenchmarkDeepCall(b *testing.B) {
	b.Run("fresh-goroutine", func(b *testing.B) {
		for b.Loop() {
			done := make(chan struct{})
			go func() { deep(deepFrames); close(done) }()
			<-done
		}
	})
	b.Run("detached", func(b *testing.B) {
		var d Detached
		for b.Loop() {
			<-d.Go(func() { deep(deepFrames) })
		}
	})
}

// A call that panics on Detached's goroutine is answered as a PanicError
// instead of ending the process, and the next call is served as before.
func TestACallThatPanicsIsAnsweredNotFatal(t *testing.T) {
	var d Detached
	err := <-d.Go(func() { panic("the SDK's nil map") })
	var p *PanicError
	if !errors.As(err, &p) || p.Value != "the SDK's nil map" || len(p.Stack) == 0 {
		t.Fatalf("Go of a panicking call answered %v, want a PanicError with its value and stack", err)
	}
	ran := false
	if err := <-d.Go(func() { ran = true }); err != nil || !ran {
		t.Fatalf("the call after a panic: ran %v, err %v", ran, err)
	}
}
