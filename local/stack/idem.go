package stack

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"smsflow/local/fcrt"
	"smsflow/shared/idem"
	"smsflow/shared/idem/redistest"
)

// DefaultQueuePort is where the local dispatch function's queue listens:
// POST /queue/messages puts messages on an emulated MNS queue that
// EventBridge pushes to the function.
const DefaultQueuePort = 9600

// LocalDispatchQueue is the local MNS queue's name.
const LocalDispatchQueue = "smsflow-local-messages"

// Redis modes of IdemOptions.Redis.
const (
	RedisAuto = ""     // start redis-server when installed, else in-memory
	RedisNone = "none" // no store: the send function keeps keys in memory
)

// IdemOptions configure the idempotency store and the dispatch function.
type IdemOptions struct {
	// Redis is RedisAuto, RedisNone, or host:port of a running server.
	Redis string
	// QueuePort serves POST /queue/messages; PortsFromEnv sets it from
	// SMSFLOW_LOCAL_QUEUE_PORT (default 9600). 0 = any free port.
	QueuePort int
	// DispatchDisabled leaves the dispatch function out.
	DispatchDisabled bool
	// DispatchEnv overrides the dispatch function's environment.
	DispatchEnv map[string]string
	// DispatchTimeout is the dispatch function's timeout (default s.yaml's:
	// FunctionTimeout["dispatch"]).
	DispatchTimeout time.Duration
	// Retry is EventBridge's retry policy (zero: fcrt.LocalBackoffRetry).
	Retry fcrt.RetryPolicy
	// SendLimits turns the per-number send limits on for the local
	// templates (verification 1/min, 5/hour, as in production); also
	// SMSFLOW_LOCAL_SEND_LIMITS=1. Off by default, so that tests which
	// exercise Alibaba's own flow control still reach the emulator.
	SendLimits bool
}

// IdemParts is what the idempotency part adds to a running Stack.
type IdemParts struct {
	// RedisAddr is the store both functions use ("" when in memory).
	RedisAddr string
	// Redis is the redis-server the stack started (nil otherwise); tests
	// stop it to see what the functions do without their store.
	Redis *redistest.Server
	// Dispatch is the dispatch function; Queue pushes to it as an MNS
	// queue source through EventBridge; QueueURL takes messages over HTTP.
	Dispatch *fcrt.Pool
	Queue    fcrt.MNSQueueSource
	QueueURL string
}

func init() {
	register(component{name: "idempotency store and dispatch function", order: 30, prepare: prepareIdem, start: startDispatch})
}

// localTemplateKinds are the kinds of the emulator's default templates, so
// the default send limits (verification 1/min, 5/hour) apply locally too.
const localTemplateKinds = "SMS_LOCAL_OTP=verification,SMS_LOCAL_NOTICE=notification"

// prepareIdem starts the store before the send function, and points the
// send function at it.
func prepareIdem(ctx context.Context, s *Stack, o *Options) error {
	opts := o.Idem
	switch opts.Redis {
	case RedisNone:
	case RedisAuto:
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			s.Banner = append(s.Banner, "idempotency store                IN MEMORY, per instance (redis-server is not installed: make test installs it)")
			break
		}
		dir := filepath.Join(o.StateDir, "redis")
		if o.StateDir == "" {
			if dir, err = os.MkdirTemp("", "smsflow-redis-"); err != nil {
				return err
			}
			s.OnClose(func(context.Context) error { return os.RemoveAll(dir) })
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		var extra []string
		if o.StateDir != "" {
			// make run keeps keys across restarts, like a real store would.
			extra = []string{"--save", "60 1"}
		}
		srv, err := redistest.StartBinary(bin, dir, extra...)
		if err != nil {
			return err
		}
		s.Redis, s.RedisAddr = srv, srv.Addr
		s.OnClose(func(context.Context) error { srv.Stop(); return nil })
	default:
		s.RedisAddr = opts.Redis
	}
	if s.RedisAddr != "" {
		s.Banner = append(s.Banner, fmt.Sprintf("idempotency store (redis)        %s", s.RedisAddr))
	} else if opts.Redis == RedisNone {
		s.Banner = append(s.Banner, "idempotency store                IN MEMORY, per instance (no Redis configured)")
	}
	env := map[string]string{"SMSFLOW_REDIS_ADDR": s.RedisAddr}
	if s.RedisAddr != "" {
		// Loopback, but on a development machine or a CI runner that may be
		// running everything else at once: an operation past the 500 ms
		// production default answered 503 in a full test run. Stopped Redis
		// still fails at once (connection refused).
		env["SMSFLOW_REDIS_TIMEOUT"] = "2s"
	}
	if opts.SendLimits || os.Getenv("SMSFLOW_LOCAL_SEND_LIMITS") == "1" {
		env["SMSFLOW_TEMPLATE_KINDS"] = localTemplateKinds
		s.Banner = append(s.Banner, "per-number send limits           verification codes 1/min, 5/hour (SMSFLOW_SEND_LIMITS)")
	} else {
		// Off, said so: the default limits with no template kinds would
		// make every instance log that they apply to no template.
		env["SMSFLOW_SEND_LIMITS"] = idem.LimitsOff
		s.Banner = append(s.Banner, "per-number send limits           off locally (SMSFLOW_LOCAL_SEND_LIMITS=1 turns them on)")
	}
	for k, v := range o.SendEnv {
		env[k] = v // the caller's settings win
	}
	o.SendEnv = env
	return nil
}

// startDispatch runs the dispatch function behind an emulated MNS queue.
func startDispatch(ctx context.Context, s *Stack, o Options) error {
	if o.Idem.DispatchDisabled {
		return nil
	}
	if s.RedisAddr == "" {
		// The function itself refuses to start without a shared store.
		s.Banner = append(s.Banner, "dispatch function                NOT STARTED: it needs a shared idempotency store (redis-server)")
		return nil
	}
	bin, err := BuildFunction(ctx, o.BinDir, "dispatch")
	if err != nil {
		return err
	}
	s.Dispatch = o.pool(s.withTraces(s.dispatchFunction(o, bin)))
	s.OnClose(s.Dispatch.Stop)
	if err := s.Dispatch.Warm(ctx); err != nil {
		return fmt.Errorf("starting the dispatch function: %w", err)
	}
	retry := o.Idem.Retry
	if retry == (fcrt.RetryPolicy{}) {
		retry = fcrt.LocalBackoffRetry
	}
	s.Queue = fcrt.MNSQueueSource{Target: s.Dispatch, TriggerName: "messages", Function: "dispatch",
		Queue: LocalDispatchQueue, Region: LocalRegion, AccountID: LocalAccountID, Retry: retry}
	addr, err := s.Serve(o.Idem.QueuePort, queueHandler(s.Queue))
	if err != nil {
		return fmt.Errorf("dispatch queue: %w", err)
	}
	s.QueueURL = "http://" + addr + "/queue/messages"
	s.Banner = append(s.Banner, fmt.Sprintf("dispatch function (MNS queue)    POST %s  (a request body, or [{\"id\",\"body\"}...])", s.QueueURL))
	return nil
}

func (s *Stack) dispatchFunction(o Options, bin string) fcrt.Function {
	env := map[string]string{
		"SMSFLOW_DYSMS_ENDPOINT": s.DysmsAddr,
		"SMSFLOW_DYSMS_PROTOCOL": "HTTP",
		"SMSFLOW_PHONE_HASH_KEY": LocalPhoneHashKey,
		"SMSFLOW_SLS_ENDPOINT":   s.SLSAddr,
		"SMSFLOW_REDIS_ADDR":     s.RedisAddr,
	}
	// The send function's store and limit settings apply to dispatch too
	// (limits are per number, whichever way a message comes).
	for k, v := range o.SendEnv {
		if k == "SMSFLOW_SEND_LIMITS" || k == "SMSFLOW_TEMPLATE_KINDS" || strings.HasPrefix(k, "SMSFLOW_IDEMPOTENCY_") || strings.HasPrefix(k, "SMSFLOW_REDIS_") {
			env[k] = v
		}
	}
	for k, v := range o.Idem.DispatchEnv {
		env[k] = v
	}
	return fcrt.Function{
		Name: "dispatch", Binary: bin, Env: env, Timeout: cmp.Or(o.Idem.DispatchTimeout, FunctionTimeout["dispatch"]), MemoryMB: FunctionMemoryMB["dispatch"],
		Region: LocalRegion, AccountID: LocalAccountID, LogProject: LocalProject, LogStore: LocalLogstore,
		AutoFreeze: o.AutoFreeze, Output: o.FunctionOutput, Logger: o.Logger,
	}
}

// QueueMessage is one message for POST /queue/messages.
type QueueMessage struct {
	// ID is the MNS message id (default: random, as MNS assigns).
	ID string `json:"id,omitempty"`
	// Body is the message body: a JSON request (object) or a string.
	Body json.RawMessage `json:"body"`
}

// queueHandler puts messages on the emulated queue: the body is one
// request (one message) or an array of QueueMessage (one batch). It answers
// once EventBridge has delivered, retries included: the function's last
// answer, how many pushes it took, and the delivery error if all failed.
func queueHandler(q fcrt.MNSQueueSource) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /queue/messages", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusBadRequest)
			return
		}
		batch, err := queueBatch(raw)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		res, pushes, derr := q.Deliver(r.Context(), batch)
		out := map[string]any{"pushes": pushes, "result": json.RawMessage(orNull(res.Payload))}
		if derr != nil {
			out["error"] = derr.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}

func queueBatch(raw []byte) ([]fcrt.MNSMessage, error) {
	t := strings.TrimSpace(string(raw))
	if !strings.HasPrefix(t, "[") {
		return []fcrt.MNSMessage{{Body: t}}, nil
	}
	var msgs []QueueMessage
	if err := json.Unmarshal([]byte(t), &msgs); err != nil {
		return nil, fmt.Errorf("want a request object or an array of {\"id\",\"body\"}: %v", err)
	}
	batch := make([]fcrt.MNSMessage, len(msgs))
	for i, m := range msgs {
		body := string(m.Body)
		var s string
		if json.Unmarshal(m.Body, &s) == nil {
			body = s // a string body goes as is (it may be deliberately broken)
		}
		batch[i] = fcrt.MNSMessage{MessageID: m.ID, Body: body}
	}
	return batch, nil
}

func orNull(b []byte) []byte {
	if len(b) == 0 || !json.Valid(b) {
		return []byte("null")
	}
	return b
}
