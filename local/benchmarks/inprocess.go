package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
	"smsflow/shared/sms"
)

func init() {
	Register(Section{Name: "send in-process: our code apart from the emulators", Order: 10, Run: inProcess})
}

// Goals of issue 10 for the in-process figures (ms at p99).
const (
	goalOwnP99  = 0.3
	goalShipP99 = 1.0
)

const (
	warmRequests  = 50
	roundRequests = 300
)

// inProcess runs the send function's real handler chain in this process,
// wired as functions/send wires it (fchttp.Handler(obs.Middleware(api)))
// with the real slog handler shipping to the SLS emulator on loopback, and
// splits each request's time into what our code does and the two round
// trips it waits for. The bare SDK call runs interleaved, as reference.
func inProcess(ctx context.Context, b *Bench) error {
	st, err := b.Stack(ctx)
	if err != nil {
		return err
	}
	fn, timer, err := newInProcessSend(st)
	if err != nil {
		return err
	}
	bare, err := bareClient(st.DysmsAddr)
	if err != nil {
		return err
	}
	one := func() (own, ship, sdk, total, bareT time.Duration, err error) {
		n := next()
		start := time.Now()
		if err := bareSend(bare, n); err != nil {
			return 0, 0, 0, 0, 0, err
		}
		bareT = time.Since(start)
		own, ship, sdk, total, err = timer.invoke(fn, n)
		return own, ship, sdk, total, bareT, err
	}
	for i := 0; i < warmRequests; i++ {
		if _, _, _, _, _, err := one(); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
	}
	var own, ship, sdk, total, bareL Latency
	for r := 0; r < b.Rounds; r++ {
		var so, ss, sk, st, sb Samples
		for i := 0; i < roundRequests; i++ {
			o, s, k, t, bt, err := one()
			if err != nil {
				return fmt.Errorf("round %d request %d: %w", r+1, i, err)
			}
			so, ss, sk, st, sb = append(so, o), append(ss, s), append(sk, k), append(st, t), append(sb, bt)
		}
		own.Add(so)
		ship.Add(ss)
		sdk.Add(sk)
		total.Add(st)
		bareL.Add(sb)
	}
	fmt.Fprintf(b.Out, "  %d requests per round, each a POST /v1/messages answered 200 (one number, a fresh Idempotency-Key)\n", roundRequests)
	b.LatencyHeader("")
	b.LatencyRow("(a) handler's own work", own, goalOwnP99)
	b.LatencyRow("(b) SLS shipping round trip (Flush)", ship, goalShipP99)
	b.LatencyRow("    SendSms round trip inside the handler", sdk, 0)
	b.LatencyRow("    whole invocation (a + b + SendSms)", total, 0)
	b.LatencyRow("    bare SDK SendSms, same emulator", bareL, 0)
	return nil
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
func newInProcessSend(st *stack.Stack) (fcHandler, *sendTimer, error) {
	cfg, err := config.Load[config.Send]()
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256([]byte(stack.LocalToken))
	cfg.Dysms.Endpoint, cfg.Dysms.Protocol = st.DysmsAddr, "HTTP"
	cfg.HTTPAuth.TokenSHA256 = []string{hex.EncodeToString(sum[:])}
	cfg.Privacy.PhoneHashKey = stack.LocalPhoneHashKey
	cfg.Logs.Endpoint = st.SLSAddr
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
	sender, err := sms.NewFromConfig(cfg.Dysms, cfg.Tencent, credentials, logger)
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
