package fcrt

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

func startPool(t *testing.T, fn Function, max int) *Pool {
	t.Helper()
	p := NewPool(fn, max)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Stop(ctx)
	})
	return p
}

func instanceOf(t *testing.T, res Result) string {
	t.Helper()
	if res.Failed() {
		t.Fatalf("invocation failed: %+v", res.Error)
	}
	return decode[echoReply](t, res.Payload).Env["FC_INSTANCE_ID"]
}

func TestPoolColdStartsThenReuses(t *testing.T) {
	p := startPool(t, testFunction(t), 3)
	var mu sync.Mutex
	var timings []Timing
	p.OnStart(func(inst *Instance) {
		mu.Lock()
		timings = append(timings, inst.Timing())
		mu.Unlock()
	})
	if n := len(p.Instances()); n != 0 {
		t.Fatalf("%d instances before the first invocation", n)
	}
	first := instanceOf(t, invoke(t, p, `{"op":"echo"}`))
	second := instanceOf(t, invoke(t, p, `{"op":"echo"}`))
	if first == "" || first != second {
		t.Errorf("sequential invocations on %q then %q, want one warm instance", first, second)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(timings) != 1 || timings[0].StartupLatency() <= 0 {
		t.Errorf("OnStart timings %+v", timings)
	}
}

func TestPoolScalesOutWhenInstancesAreBusy(t *testing.T) {
	fn := testFunction(t)
	fn.Concurrency = 1
	p := startPool(t, fn, 2)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	results := make(chan Result, 3)
	start := time.Now()
	for range 3 {
		go func() { results <- invoke(t, p, `{"op":"sleep","ms":600}`) }()
	}
	var replies []sleepReply
	for range 3 {
		r := <-results
		if r.Failed() {
			t.Fatal(r.Error)
		}
		replies = append(replies, decode[sleepReply](t, r.Payload))
	}
	if n := len(p.Instances()); n != 2 {
		t.Errorf("%d instances, want 2 (MaxInstances)", n)
	}
	// Two ran side by side on two instances; the third waited for a slot:
	// never more than two at once.
	maxRunning := 0
	for _, at := range replies {
		running := 0
		for _, r := range replies {
			if r.Start <= at.Start && at.Start < r.End {
				running++
			}
		}
		maxRunning = max(maxRunning, running)
	}
	if maxRunning != 2 {
		t.Errorf("%d invocations ran at once, want 2: %+v", maxRunning, replies)
	}
	if elapsed := time.Since(start); elapsed < 1200*time.Millisecond {
		t.Errorf("three 600 ms sleeps on two single-slot instances took %v", elapsed)
	}
}

func TestPoolReplacesAnInstanceRecycledAfterATimeout(t *testing.T) {
	fn := testFunction(t)
	fn.Timeout = time.Second
	p := startPool(t, fn, 1)
	before := instanceOf(t, invoke(t, p, `{"op":"echo"}`))
	if res := invoke(t, p, `{"op":"sleep","ms":3000}`); !res.TimedOut() {
		t.Fatalf("want timeout, got %+v", res.Error)
	}
	after := instanceOf(t, invoke(t, p, `{"op":"echo"}`))
	if after == before {
		t.Errorf("invocation after the timeout ran on the recycled instance %q", before)
	}
}

func TestPoolBehindTheGatewayAndStop(t *testing.T) {
	p := startPool(t, testFunction(t), 1)
	srv := httptest.NewServer(NewGateway(p, GatewayConfig{Logger: quietLogger}))
	defer srv.Close()
	if resp, body := do(t, mustRequest(t, http.MethodGet, srv.URL+"/hello")); resp.StatusCode != 201 {
		t.Fatalf("through the pool: status %d body %s", resp.StatusCode, body)
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, mustRequest(t, http.MethodGet, srv.URL+"/hello"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("X-Fc-Error-Type") != "FcCommonError" {
		t.Errorf("after Stop: status %d body %s", resp.StatusCode, body)
	}
	if _, err := p.Invoke(context.Background(), []byte(`{"op":"echo"}`), InvokeOptions{}); err != ErrInstanceClosed {
		t.Errorf("Invoke after Stop: %v", err)
	}
}
