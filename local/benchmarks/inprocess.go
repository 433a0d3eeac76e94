package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/api"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/fchttp"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/runtimefit"
	"smsflow/shared/sms"
)

func init() {
	Register(Section{Name: "send in-process: our code apart from the emulators", Order: 10, Run: inProcess})
}

// unsteadyFloor is the loopback floor's p99/p50 past which the machine,
// not the code, decides the p99s: steady, this VM shows about 2.
const unsteadyFloor = 3

// Goals of issue 10 for the in-process figures (ms at p99).
const (
	goalOwnP99  = 0.3
	goalShipP99 = 1.0
)

const (
	warmRequests  = 50
	roundRequests = 300
	// inProcessRequests is larger: a round's p99 is then its tenth
	// largest sample rather than its third, so two or three requests that
	// met this VM's scheduler at a bad moment no longer decide a goal.
	inProcessRequests = 1000
)

// inProcess runs the send function's real handler chain in a process of
// its own (the function's process on the cloud holds nothing else: the
// emulators' CPU time and garbage would be load on our figures), wired as
// functions/send wires it, with the real slog handler shipping to the SLS
// emulator on loopback, and splits each request's time into what our code
// does and the two round trips it waits for. The bare SDK call runs
// interleaved in that process, as reference.
func inProcess(ctx context.Context, b *Bench) error {
	st, err := b.Stack(ctx)
	if err != nil {
		return err
	}
	floor := httptest.NewServer(http.HandlerFunc(noOp))
	defer floor.Close()
	var res inProcessResult
	if len(b.worker) == 0 {
		fmt.Fprintln(b.Out, "  (no worker command: measured in the bench's own process, beside the emulators)")
		if res, err = measureInProcess(st.DysmsAddr, st.SLSAddr, floor.URL, b.Rounds); err != nil {
			return err
		}
	} else {
		args := append(slices.Clone(b.worker[1:]), "-dysms", st.DysmsAddr, "-sls", st.SLSAddr, "-floor", floor.URL,
			"-rounds", strconv.Itoa(b.Rounds), "-first", strconv.Itoa(next()+1_000_000))
		cmd := exec.CommandContext(ctx, b.worker[0], args...)
		cmd.Stderr = os.Stderr
		// The worker is the send function's process: it gets the memory
		// size the FC emulator gives send, and sizes its GC from it as
		// functions/send does (shared/runtimefit).
		cmd.Env = append(os.Environ(), "FC_FUNCTION_MEMORY_SIZE="+strconv.Itoa(st.SendFunction.MemoryMB))
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("in-process worker: %w", err)
		}
		if err := json.Unmarshal(out, &res); err != nil {
			return fmt.Errorf("in-process worker printed %q: %w", out, err)
		}
	}
	fmt.Fprintf(b.Out, "  %d requests per round, each a POST /v1/messages answered 200 (one number, a fresh Idempotency-Key)\n", inProcessRequests)
	if res.GC != "" {
		fmt.Fprintf(b.Out, "  the worker's GC, set as functions/send sets it: %s\n", res.GC)
		fmt.Fprintf(b.Out, "  the worker's Ps, set as functions/send sets them: %s\n", res.Procs)
	}
	b.LatencyHeader("")
	b.LatencyRow(labelOwn, res.Own, goalOwnP99)
	b.LatencyRow(labelShip, res.Ship, goalShipP99)
	b.LatencyRow("    SendSms round trip inside the handler", res.SDK, 0)
	b.LatencyRow("    whole invocation (a + b + SendSms)", res.Total, 0)
	b.LatencyRow("    bare SDK SendSms, same emulator", res.Bare, 0)
	b.LatencyRow("    loopback floor: bare 1 KiB POST", res.Floor, 0)
	b.LatencyRow(fmt.Sprintf("    CPU floor: fixed %v of work", cpuFloorTarget), res.CPU, 0)
	fmt.Fprintf(b.Out, "  (the CPU floor's work, %s, is timed right after a round trip, as (a)'s pieces run)\n", res.CPUWork)
	b.annotateUnsteady(res)
	return nil
}

const (
	labelOwn  = "(a) handler's own work"
	labelShip = "(b) SLS shipping round trip (Flush)"
)

// unsteady returns, for each floor whose tail says the machine rather than
// the code decided this run's p99s, its p99/p50 (0 when it was steady):
// the loopback floor past unsteadyFloor, the CPU floor past the ratio of
// (a)'s goal to the work it times.
func (res inProcessResult) unsteady() (floorRatio, cpuRatio float64) {
	if p50, p99 := SpreadOf(res.Floor.P50).Median, SpreadOf(res.Floor.P99).Median; p50 > 0 && p99 > unsteadyFloor*p50 {
		floorRatio = p99 / p50
	}
	if p50, p99 := SpreadOf(res.CPU.P50).Median, SpreadOf(res.CPU.P99).Median; p50 > 0 && p99 > goalOwnP99/ms(cpuFloorTarget)*p50 {
		cpuRatio = p99 / p50
	}
	return floorRatio, cpuRatio
}

// annotateUnsteady prints a NOTE for each floor that stalled and carries it
// onto the summary lines of the goals it bears on.
func (b *Bench) annotateUnsteady(res inProcessResult) {
	floorRatio, cpuRatio := res.unsteady()
	var own, ship []string
	if floorRatio > 0 {
		fmt.Fprintf(b.Out, "  NOTE the loopback floor's p99 is %.1fx its p50 (steady: about 2x): the machine stalled the bare round trip too, so\n"+
			"       the p99s above measure it more than the code; rerun before reading them\n", floorRatio)
		why := fmt.Sprintf("the loopback floor's p99 was %.1fx its p50", floorRatio)
		own, ship = append(own, why), append(ship, why)
	}
	if cpuRatio > 0 {
		fmt.Fprintf(b.Out, "  NOTE the CPU floor's p99 is %.1fx its p50: this machine stretched fixed work of (a)'s size past (a)'s goal, so\n"+
			"       (a)'s p99 measures it more than the code; rerun on a quieter machine before reading it\n", cpuRatio)
		own = append(own, fmt.Sprintf("the CPU floor's p99 was %.1fx its p50", cpuRatio))
	}
	for label, whys := range map[string][]string{labelOwn: own, labelShip: ship} {
		if len(whys) > 0 {
			b.Annotate(label, "unsteady run: "+strings.Join(whys, ", ")+" (NOTE above)")
		}
	}
}

// inProcessResult is what the worker reports, per round.
type inProcessResult struct {
	Own, Ship, SDK, Total, Bare Latency
	// Floor is a bare HTTP POST to a handler that does nothing, in the
	// emulators' process: what this machine's loopback and scheduler cost
	// any round trip, (b) included.
	Floor Latency
	// CPU is a fixed amount of pure computation (CPUWork, calibrated to
	// take about cpuFloorTarget) timed right after a round trip: what the
	// machine does to a short burst of CPU after a wait, (a) included.
	CPU     Latency
	CPUWork string
	// GC and Procs are shared/runtimefit's decisions in the worker.
	GC, Procs string
}

// InProcessWorker is the process inProcess starts (`go run ./local bench
// worker ...`): it measures and prints an inProcessResult as JSON.
func InProcessWorker(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench worker", flag.ContinueOnError)
	dysmsAddr := fs.String("dysms", "", "Dysmsapi emulator host:port")
	slsAddr := fs.String("sls", "", "SLS emulator host:port")
	floorURL := fs.String("floor", "", "URL of a no-op HTTP handler (the loopback floor)")
	rounds := fs.Int("rounds", 5, "rounds")
	first := fs.Int("first", 1, "first request number (numbers and keys stay apart from the parent's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	seq.Store(int64(*first))
	gc := runtimefit.Init("bench worker", os.Getenv, io.Discard)
	if path := os.Getenv("SMSFLOW_BENCH_CPUPROFILE"); path != "" {
		stop, err := cpuProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	res, err := measureInProcess(*dysmsAddr, *slsAddr, *floorURL, *rounds)
	if err != nil {
		return err
	}
	res.GC, res.Procs = gc.Reason, gc.ProcsReason
	return json.NewEncoder(out).Encode(res)
}

// cpuProfile profiles the worker, which holds only the send function's
// code: SMSFLOW_BENCH_CPUPROFILE=cpu.out go run ./local bench -only in-process
func cpuProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func measureInProcess(dysmsAddr, slsAddr, floorURL string, rounds int) (inProcessResult, error) {
	var res inProcessResult
	fn, timer, err := newInProcessSend(dysmsAddr, slsAddr)
	if err != nil {
		return res, err
	}
	bare, err := bareClient(dysmsAddr)
	if err != nil {
		return res, err
	}
	floorClient := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1}}
	floorBody := strings.Repeat("x", 1024)
	work := newCPUWork(cpuFloorTarget)
	res.CPUWork = work.String()
	type sample struct{ own, ship, sdk, total, bare, floor, cpu time.Duration }
	one := func() (sm sample, err error) {
		n := next()
		start := time.Now()
		if err := bareSend(bare, n); err != nil {
			return sm, err
		}
		sm.bare = time.Since(start)
		start = time.Now()
		if err := post(floorClient, floorURL, floorBody); err != nil {
			return sm, err
		}
		sm.floor = time.Since(start)
		sm.cpu = work.run() // right after a wait, as (a)'s pieces run
		sm.own, sm.ship, sm.sdk, sm.total, err = timer.invoke(fn, n)
		return sm, err
	}
	for i := 0; i < warmRequests; i++ {
		if _, err := one(); err != nil {
			return res, fmt.Errorf("warm-up request: %w", err)
		}
	}
	for r := 0; r < rounds; r++ {
		var so, ss, sk, st, sb, sf, sc Samples
		for i := 0; i < inProcessRequests; i++ {
			sm, err := one()
			if err != nil {
				return res, fmt.Errorf("round %d request %d: %w", r+1, i, err)
			}
			so, ss, sk, st = append(so, sm.own), append(ss, sm.ship), append(sk, sm.sdk), append(st, sm.total)
			sb, sf, sc = append(sb, sm.bare), append(sf, sm.floor), append(sc, sm.cpu)
		}
		res.Own.Add(so)
		res.Ship.Add(ss)
		res.SDK.Add(sk)
		res.Total.Add(st)
		res.Bare.Add(sb)
		res.Floor.Add(sf)
		res.CPU.Add(sc)
	}
	return res, nil
}

func noOp(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = w.Write([]byte("{}"))
}

func post(c *http.Client, url, body string) error {
	resp, err := c.Post(url, "application/x-protobuf", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// sendTimer splits an invocation's time: marks taken by transparent
// wrappers around the real handlers, and the SendSms latency the real
// sms.Sender measures itself (sms.Attempt.Latency).
type sendTimer struct {
	handlerDone, flushDone time.Time
	sdk                    time.Duration
	sender                 api.Sender
	// role is the function role's STS triple: FC hands an instance the
	// same one for hours, so the SDK clients built for it are reused.
	role sts.Credential
}

func (t *sendTimer) Send(ctx context.Context, req sms.Request, hook sms.AttemptHook) (sms.Outcome, []sms.Attempt) {
	out, attempts := t.sender.Send(ctx, req, hook)
	for _, a := range attempts {
		t.sdk += a.Latency
	}
	return out, attempts
}

func mark(at *time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		*at = time.Now()
	})
}

type fcHandler = func(context.Context, events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error)

// newInProcessSend wires the send function as functions/send/main.go does,
// against the stack's Dysmsapi and SLS emulators.
func newInProcessSend(dysmsAddr, slsAddr string) (fcHandler, *sendTimer, error) {
	cfg, err := config.Load[config.Send]()
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256([]byte(stack.LocalToken))
	cfg.Dysms.Endpoint, cfg.Dysms.Protocol = dysmsAddr, "HTTP"
	cfg.HTTPAuth.TokenSHA256 = []string{hex.EncodeToString(sum[:])}
	cfg.Privacy.PhoneHashKey = stack.LocalPhoneHashKey
	cfg.Logs.Endpoint = slsAddr
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	credentials := creds.NewSource(false)
	shipper := obs.NewShipper(cfg.Logs, "send", credentials, io.Discard)
	logger := obs.NewLogger(shipper)
	hashKey := obs.PhoneHashKey(cfg.Privacy, logger)
	idempotency, err := api.OpenIdempotency(context.Background(), cfg.Idempotency, cfg.PhoneHashKey, hashKey, logger)
	if err != nil {
		return nil, nil, err
	}
	sender, err := sms.NewFromConfig(cfg.Dysms, cfg.Tencent, credentials, nil, logger)
	if err != nil {
		return nil, nil, err
	}
	timer := &sendTimer{sender: sender, role: sts.Issue(time.Hour)}
	handler := api.New(api.Options{Sender: timer, Auth: cfg.HTTPAuth, Logger: logger,
		Hasher: phone.NewHasher(hashKey), Idempotency: idempotency})
	return fchttp.Handler(mark(&timer.flushDone, obs.Middleware(mark(&timer.handlerDone, handler), shipper))), timer, nil
}

// invoke runs one invocation the way the go1 runtime hands it over: a
// decoded trigger event and a context with the invocation's details and
// credentials (building those is the runtime's work, not timed).
func (t *sendTimer) invoke(fn fcHandler, i int) (own, ship, sdk, total time.Duration, err error) {
	c := t.role
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = fccontext.NewContext(ctx, &fccontext.FcContext{RequestID: "bench-" + strconv.Itoa(i), Region: stack.LocalRegion,
		AccountId:   stack.LocalAccountID,
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Function:    fccontext.Function{Name: "send", Handler: "main", Memory: "128", Timeout: 10},
		Service:     fccontext.Service{LogProject: stack.LocalProject, LogStore: stack.LocalLogstore, Qualifier: "LATEST"}})
	ev := sendEvent(i)
	t.sdk = 0
	start := time.Now()
	resp, err := fn(ctx, ev)
	end := time.Now()
	if err != nil {
		return 0, 0, 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, 0, 0, fmt.Errorf("send answered %d: %s", resp.StatusCode, resp.Body)
	}
	total = end.Sub(start)
	ship = t.flushDone.Sub(t.handlerDone)
	return total - ship - t.sdk, ship, t.sdk, total, nil
}

func sendEvent(i int) events.HTTPTriggerEvent {
	body, method, path := requestBody(i), http.MethodPost, "/v1/messages"
	headers := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + stack.LocalToken,
		"Idempotency-Key": idemKey(i)}
	ev := events.HTTPTriggerEvent{RawPath: &path, Body: &body, Headers: &headers}
	ev.TriggerContext.Http.Method, ev.TriggerContext.Http.Path = &method, &path
	return ev
}
