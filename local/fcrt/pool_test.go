package fcrt

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
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

// conformance: FC-02
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

// N concurrent requests are served by N instances, each its own process
// running one invocation at a time.
// conformance: FC-01, FC-02
func TestPoolScalesOutOneInstancePerConcurrentInvocation(t *testing.T) {
	const n = 4
	p := startPool(t, testFunction(t), n)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	results := make(chan Result, n)
	for range n {
		go func() { results <- invoke(t, p, `{"op":"sleep","ms":400}`) }()
	}
	pids := map[int64]bool{}
	for range n {
		r := <-results
		if r.Failed() {
			t.Fatal(r.Error)
		}
		reply := decode[sleepReply](t, r.Payload)
		if reply.MaxInFlight != 1 {
			t.Errorf("process %d saw %d invocations at once, want 1", reply.Pid, reply.MaxInFlight)
		}
		pids[reply.Pid] = true
	}
	if len(pids) != n {
		t.Errorf("%d concurrent invocations ran in %d processes, want %d", n, len(pids), n)
	}
	ids := map[string]bool{}
	for _, inst := range p.Instances() {
		ids[inst.ID()] = true
		if !pids[int64(inst.Pid())] {
			t.Errorf("instance %s (pid %d) served nothing", inst.ID(), inst.Pid())
		}
	}
	if len(ids) != n {
		t.Errorf("%d instance ids, want %d", len(ids), n)
	}
}

// conformance: FC-03, FC-12
func TestPoolRefusesASynchronousInvocationBeyondTheInstanceLimit(t *testing.T) {
	p := startPool(t, testFunction(t), 1)
	srv := httptest.NewServer(NewGateway(p, GatewayConfig{Logger: quietLogger}))
	defer srv.Close()
	busy := make(chan Result, 1)
	go func() { busy <- invoke(t, p, `{"op":"sleep","ms":500}`) }()
	waitFor(t, func() bool { return len(p.Instances()) == 1 && p.Instances()[0].InFlight() == 1 })

	if _, err := p.Invoke(context.Background(), []byte(`{"op":"echo"}`), InvokeOptions{}); !errors.Is(err, ErrInstanceLimit) {
		t.Errorf("Invoke at the limit: %v, want ErrInstanceLimit", err)
	}
	resp, body := do(t, mustRequest(t, http.MethodGet, srv.URL+"/hello"))
	var fe struct{ ErrorCode string }
	_ = json.Unmarshal(body, &fe)
	if resp.StatusCode != http.StatusTooManyRequests || fe.ErrorCode != "ResourceExhausted" ||
		resp.Header.Get("X-Fc-Error-Type") != "FcCommonError" {
		t.Errorf("HTTP trigger at the limit: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	// An asynchronous invocation (a timer's) waits for the instance instead.
	if res, err := p.Invoke(context.Background(), []byte(`{"op":"echo"}`), InvokeOptions{Async: true}); err != nil || res.Failed() {
		t.Errorf("async invocation at the limit: %v %+v", err, res.Error)
	}
	if r := <-busy; r.Failed() {
		t.Fatal(r.Error)
	}
	if n := len(p.Instances()); n != 1 {
		t.Errorf("%d instances, want 1 (the limit)", n)
	}
}

// conformance: FC-04
func TestPoolReclaimsIdleInstances(t *testing.T) {
	fn := testFunction(t)
	fn.Env["FCFUNC_HOOKS"] = "1"
	fn.PreStop = true
	p := NewPool(fn, 2, IdleTimeout(500*time.Millisecond))
	t.Cleanup(func() { _ = p.Stop(context.Background()) })
	first := instanceOf(t, invoke(t, p, `{"op":"echo"}`))
	insts := p.Instances()
	if len(insts) != 1 {
		t.Fatalf("%d instances after one invocation", len(insts))
	}
	// Busy instances are not reclaimed: an 800 ms invocation outlives the
	// idle timeout.
	if res := invoke(t, p, `{"op":"sleep","ms":800}`); res.Failed() {
		t.Fatal(res.Error)
	}
	if insts[0].isExited() {
		t.Fatal("the instance was reclaimed while it ran an invocation")
	}
	select {
	case <-insts[0].Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("idle instance still running after 6 idle timeouts")
	}
	if n := len(p.Instances()); n != 0 {
		t.Errorf("%d instances after the idle timeout, want 0", n)
	}
	if hooks := readFile(t, stateFile(fn, "hooks.log")); strings.Count(hooks, "prestop ") != 1 {
		t.Errorf("hooks.log = %q, want the preStop hook once", hooks)
	}
	if again := instanceOf(t, invoke(t, p, `{"op":"echo"}`)); again == first {
		t.Errorf("invocation after the reclaim ran on the reclaimed instance %s", first)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("condition not met within 5 s")
		}
	}
}

// conformance: FC-06
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
