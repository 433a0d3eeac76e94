package fcrt

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"smsflow/local/sts"
)

type echoReply struct {
	FC         fccontext.FcContext `json:"fc"`
	Env        map[string]string   `json:"env"`
	DeadlineMs int64               `json:"deadlineMs"`
	InitCount  int                 `json:"initCount"`
}

// conformance: FC-05, FC-09
func TestInvokeDeliversEveryContextField(t *testing.T) {
	fn := testFunction(t)
	fn.Handler = "main"
	fn.MemoryMB = 256
	fn.Timeout = 7 * time.Second
	fn.Region = "cn-shanghai"
	fn.AccountID = "1234567890123456"
	fn.Qualifier = "prod"
	fn.VersionID = "3"
	fn.ServiceName = "smsflow"
	fn.LogProject = "smsflow-local"
	fn.LogStore = "sms"
	fn.Env["HTTP_PROXY"] = "" // must not be inherited from the emulator either
	var minted atomic.Int32
	var last atomic.Value
	fn.Credentials = func() sts.Credential {
		minted.Add(1)
		c := sts.Issue(time.Hour)
		last.Store(c)
		return c
	}
	inst := startInstance(t, fn)
	envCred := last.Load().(sts.Credential)

	before := time.Now()
	res, err := inst.Invoke(context.Background(), []byte(`{"op":"echo"}`), InvokeOptions{RequestID: "req-echo-1", RetryCount: 2})
	if err != nil || res.Failed() {
		t.Fatalf("Invoke: %v %+v", err, res.Error)
	}
	got := decode[echoReply](t, res.Payload)
	invCred := last.Load().(sts.Credential)

	if res.RequestID != "req-echo-1" || got.FC.RequestID != "req-echo-1" {
		t.Errorf("request id: result %q, function saw %q", res.RequestID, got.FC.RequestID)
	}
	want := fccontext.FcContext{
		RequestID:   "req-echo-1",
		Credentials: fccontext.Credentials{AccessKeyId: invCred.AccessKeyID, AccessKeySecret: invCred.AccessKeySecret, SecurityToken: invCred.SecurityToken},
		Function:    fccontext.Function{Name: "fcfunc", Handler: "main", Memory: "256", Timeout: 7},
		Service:     fccontext.Service{Name: "smsflow", LogProject: "smsflow-local", LogStore: "sms", Qualifier: "prod", VersionId: "3"},
		Region:      "cn-shanghai",
		AccountId:   "1234567890123456",
		RetryCount:  2,
	}
	got.FC.Tracing = fccontext.Tracing{}
	if got.FC.Credentials != want.Credentials || got.FC.Function != want.Function || got.FC.Service != want.Service ||
		got.FC.Region != want.Region || got.FC.AccountId != want.AccountId || got.FC.RetryCount != want.RetryCount {
		t.Errorf("FcContext:\n got %+v\nwant %+v", got.FC, want)
	}
	if err := sts.Verify(got.FC.Credentials.AccessKeyId, got.FC.Credentials.SecurityToken, time.Now()); err != nil {
		t.Errorf("per-invocation credentials do not verify: %v", err)
	}
	if got.FC.Credentials.AccessKeyId == envCred.AccessKeyID {
		t.Errorf("invocation credentials were not minted fresh")
	}
	deadline := time.UnixMilli(got.DeadlineMs)
	if deadline.Before(before.Add(6*time.Second)) || deadline.After(time.Now().Add(7*time.Second)) {
		t.Errorf("ctx deadline %v not ~7 s after %v", deadline, before)
	}

	wantEnv := map[string]string{
		"FC_RUNTIME_API":                  inst.RuntimeAPI(),
		"FC_FUNCTION_NAME":                "fcfunc",
		"FC_FUNCTION_HANDLER":             "main",
		"FC_FUNCTION_MEMORY_SIZE":         "256",
		"FC_REGION":                       "cn-shanghai",
		"FC_ACCOUNT_ID":                   "1234567890123456",
		"FC_INSTANCE_ID":                  inst.ID(),
		"FC_FUNC_CODE_PATH":               filepath.Dir(testBinary),
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     envCred.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": envCred.AccessKeySecret,
		"ALIBABA_CLOUD_SECURITY_TOKEN":    envCred.SecurityToken,
		"FCFUNC_STATE":                    fn.Env["FCFUNC_STATE"],
		"HTTP_PROXY":                      "",
	}
	for k, v := range wantEnv {
		if got.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, got.Env[k], v)
		}
	}
	if n := minted.Load(); n != 2 {
		t.Errorf("credentials minted %d times, want 2 (instance env + one invocation)", n)
	}
	if tm := inst.Timing(); tm.StartupLatency() <= 0 || tm.FirstPoll.Before(tm.ProcessStarted) {
		t.Errorf("timing not recorded: %+v", tm)
	}
}

func TestFunctionErrorAndPanicKeepTheProcess(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	pid := inst.Pid()

	res := invoke(t, inst, `{"op":"error"}`)
	if res.Error == nil || res.Error.Kind != KindFunctionError || res.Error.Message != "boom" || res.Error.Type != "errorString" {
		t.Fatalf("error result = %+v", res.Error)
	}
	if res.Payload != nil {
		t.Errorf("failed invocation has a payload: %s", res.Payload)
	}

	res = invoke(t, inst, `{"op":"panic"}`)
	if res.Error == nil || res.Error.Kind != KindFunctionError || res.Error.Message != "kaboom" {
		t.Fatalf("panic result = %+v", res.Error)
	}
	if len(res.Error.StackTrace) == 0 || !strings.Contains(string(res.ErrorJSON()), `"stackTrace"`) {
		t.Errorf("panic carries no stack trace: %s", res.ErrorJSON())
	}

	res = invoke(t, inst, `{"op":"echo"}`)
	if res.Failed() {
		t.Fatalf("after panic: %+v", res.Error)
	}
	if inst.Pid() != pid || inst.isExited() {
		t.Errorf("process changed or exited after error and panic")
	}
}

// conformance: FC-06
func TestTimeoutRecyclesTheInstance(t *testing.T) {
	fn := testFunction(t)
	fn.Timeout = time.Second
	inst := startInstance(t, fn)

	start := time.Now()
	res := invoke(t, inst, `{"op":"sleep","ms":4000}`)
	elapsed := time.Since(start)
	if !res.TimedOut() {
		t.Fatalf("result = %+v, want timeout", res.Error)
	}
	if res.Error.Message != "Function timed out after 1 seconds" {
		t.Errorf("timeout message %q", res.Error.Message)
	}
	if elapsed < 900*time.Millisecond || elapsed > 2500*time.Millisecond {
		t.Errorf("timeout answered after %v, want ~1 s", elapsed)
	}
	select {
	case <-inst.Exited():
	case <-time.After(3 * time.Second):
		t.Fatal("instance not recycled after a timeout")
	}
	if _, err := inst.Invoke(context.Background(), []byte(`{"op":"echo"}`), InvokeOptions{}); err != ErrInstanceExited {
		t.Errorf("Invoke on recycled instance: %v, want ErrInstanceExited", err)
	}
}

type sleepReply struct{ Start, End, Pid, MaxInFlight int64 }

// An instance runs one invocation at a time even though the SDK polls
// next again at once and would run a second one beside the first.
// conformance: FC-01
func TestOneInvocationAtATimeOnAnInstance(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	const n = 4
	results := make(chan Result, n)
	for range n {
		go func() { results <- invoke(t, inst, `{"op":"sleep","ms":150}`) }()
	}
	var replies []sleepReply
	for range n {
		r := <-results
		if r.Failed() {
			t.Fatalf("sleep failed: %+v", r.Error)
		}
		replies = append(replies, decode[sleepReply](t, r.Payload))
	}
	for _, a := range replies {
		if a.MaxInFlight != 1 {
			t.Errorf("the process saw %d invocations at once, want 1", a.MaxInFlight)
		}
		for _, b := range replies {
			if a != b && a.Start < b.End && b.Start < a.End {
				t.Errorf("invocations overlapped: %+v %+v", a, b)
			}
		}
	}
}

func TestProcessCrashFailsTheInvocation(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	res := invoke(t, inst, `{"op":"exit"}`)
	if res.Error == nil || res.Error.Kind != KindCrash || !strings.Contains(res.Error.Message, "exit status 3") {
		t.Fatalf("result = %+v, want crash with exit status 3", res.Error)
	}
}

func TestStartFailsWhenTheBinaryExits(t *testing.T) {
	fn := testFunction(t)
	fn.Binary = "/bin/false"
	if _, err := Start(context.Background(), fn); err == nil || !strings.Contains(err.Error(), "exited before polling") {
		t.Fatalf("Start = %v", err)
	}
}

// conformance: FC-05
func TestRuntimeHeadersCarryRequiredDeadline(t *testing.T) {
	fn, _ := Function{Name: "f", Binary: "x", Timeout: 1500 * time.Millisecond}.withDefaults()
	deadline := time.UnixMilli(1_700_000_000_123)
	h := runtimeHeaders(&fn, "rid", typeHandler, deadline, fn.Timeout, 0)
	get := func(k string) string { // FC's lower-case names are kept verbatim
		if v := h[k]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	if get(hdrDeadline) != "1700000000123" || get(hdrTimeout) != "2" {
		t.Errorf("deadline %q timeout %q", get(hdrDeadline), get(hdrTimeout))
	}
	if _, ok := h[hdrFunctionType]; ok {
		t.Errorf("handler invocation carries a function type")
	}
	h = runtimeHeaders(&fn, "rid", typePreStop, deadline, fn.Timeout, 0)
	if v, _ := strconv.Atoi(get(hdrFunctionType)); v != 2 {
		t.Errorf("preStop type %q", get(hdrFunctionType))
	}
}

func TestCancelledCallerLeavesTheInvocationRunning(t *testing.T) {
	inst := startInstance(t, testFunction(t))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := inst.Invoke(ctx, []byte(`{"op":"sleep","ms":600}`), InvokeOptions{}); err != context.DeadlineExceeded {
		t.Fatalf("Invoke = %v, want the caller's deadline", err)
	}
	if n := inst.InFlight(); n != 1 {
		t.Fatalf("in flight after the caller left: %d, want 1", n)
	}
	// The only slot is still held: the next invocation waits for it.
	if res := invoke(t, inst, `{"op":"echo"}`); res.Failed() {
		t.Fatal(res.Error)
	}
	if elapsed := time.Since(start); elapsed < 550*time.Millisecond {
		t.Errorf("second invocation ran after %v, before the abandoned one ended", elapsed)
	}
}

// A start is timed from before the process exists. The emulator may be
// descheduled right after the exec (here: stalled for longer than the
// child takes to poll); the child's first poll must still come after the
// recorded process start, and the start must measure the child's own time,
// not be cut short by the emulator's stall (nor be negative).
func TestStartupIsTimedFromBeforeTheProcessExists(t *testing.T) {
	const stall = 2 * time.Second
	afterStart = func() { time.Sleep(stall) }
	t.Cleanup(func() { afterStart = func() {} })
	inst, err := Start(context.Background(), testFunction(t))
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Kill()
	tm := inst.Timing()
	if d := tm.StartupLatency(); d <= 0 || d >= stall {
		t.Errorf("start measured %s (process %s, first poll %s), want the child's own time: above 0, under the emulator's %s stall", d,
			tm.ProcessStarted.Format(time.StampMicro), tm.FirstPoll.Format(time.StampMicro), stall)
	}
}
