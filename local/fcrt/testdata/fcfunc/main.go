// Command fcfunc is the test function of package fcrt: an ordinary go1
// function on the unmodified fc-runtime-go-sdk. It recognises the event
// shapes the emulator produces and answers with what it saw, so the tests
// check what really reached the function.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aliyun/fc-runtime-go-sdk/events"
	"github.com/aliyun/fc-runtime-go-sdk/fc"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
)

var initCount atomic.Int32

// inFlight counts the handler invocations running in this process, and
// maxInFlight the most ever seen at once: FC 3.0 never overlaps two on an
// instance of a standard runtime, whatever the SDK would accept.
var inFlight, maxInFlight atomic.Int32

func main() {
	if os.Getenv("FCFUNC_HOOKS") == "1" {
		fc.RegisterInitializerFunction(initialize)
		fc.RegisterPreStopFunction(preStop)
	}
	fc.Start(handle)
}

func initialize(ctx context.Context) {
	if os.Getenv("FCFUNC_INIT_FAIL") == "1" {
		panic("initializer refused to start")
	}
	initCount.Add(1)
	fctx, _ := fccontext.FromContext(ctx)
	appendLine("hooks.log", "init "+fctx.RequestID)
}

func preStop(ctx context.Context) {
	fctx, _ := fccontext.FromContext(ctx)
	appendLine("hooks.log", "prestop "+fctx.RequestID)
}

// handle dispatches on the event's shape.
func handle(ctx context.Context, payload []byte) (any, error) {
	n := inFlight.Add(1)
	defer inFlight.Add(-1)
	for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
	}
	trimmed := strings.TrimSpace(string(payload))
	if strings.HasPrefix(trimmed, "[") {
		return handleCloudEvents(ctx, payload)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	switch {
	case probe["requestContext"] != nil:
		return handleHTTP(payload)
	case probe["triggerName"] != nil:
		appendLine("timer.log", trimmed)
		return "timer ok", nil
	case probe["op"] != nil:
		return handleOp(ctx, payload)
	}
	return nil, errors.New("unknown event shape")
}

type op struct {
	Op   string `json:"op"`
	MS   int    `json:"ms"`
	File string `json:"file"`
}

func handleOp(ctx context.Context, payload []byte) (any, error) {
	var o op
	if err := json.Unmarshal(payload, &o); err != nil {
		return nil, err
	}
	switch o.Op {
	case "echo":
		fctx, _ := fccontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			if strings.HasPrefix(k, "FC_") || strings.HasPrefix(k, "ALIBABA_CLOUD_") || strings.HasPrefix(k, "FCFUNC_") || k == "HTTP_PROXY" {
				env[k] = v
			}
		}
		return map[string]any{
			"fc":         fctx,
			"env":        env,
			"deadlineMs": deadline.UnixMilli(),
			"initCount":  initCount.Load(),
		}, nil
	case "error":
		return nil, errors.New("boom")
	case "panic":
		panic("kaboom")
	case "sleep":
		start := time.Now()
		time.Sleep(time.Duration(o.MS) * time.Millisecond)
		return map[string]int64{"start": start.UnixNano(), "end": time.Now().UnixNano(),
			"pid": int64(os.Getpid()), "maxInFlight": int64(maxInFlight.Load())}, nil
	case "leak":
		// Work left running after the answer: on FC 3.0 it is frozen with
		// the instance.
		go func() {
			for {
				f, err := os.OpenFile(o.File, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
				if err == nil {
					_, _ = f.WriteString("tick\n")
					_ = f.Close()
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		return "leaked", nil
	case "exit":
		os.Exit(3)
	}
	return nil, fmt.Errorf("unknown op %q", o.Op)
}

// httpEcho is what the function saw of an HTTP trigger event.
type httpEcho struct {
	Event    events.HTTPTriggerEvent `json:"event"`
	BodyB64  string                  `json:"bodyB64"` // the decoded request body, re-encoded
	RawEvent json.RawMessage         `json:"rawEvent"`
}

func handleHTTP(payload []byte) (any, error) {
	var ev events.HTTPTriggerEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	query := map[string]string{}
	if ev.QueryParameters != nil {
		query = *ev.QueryParameters
	}
	switch query["fail"] {
	case "error":
		return nil, errors.New("http boom")
	case "panic":
		panic("http kaboom")
	case "sleep":
		time.Sleep(3 * time.Second)
	}
	if query["reply"] == "plain" {
		return map[string]string{"plain": "result"}, nil // not an HTTP trigger response
	}
	body := []byte{}
	if ev.Body != nil {
		body = []byte(*ev.Body)
		if ev.IsBase64Encoded != nil && *ev.IsBase64Encoded {
			var err error
			if body, err = base64.StdEncoding.DecodeString(*ev.Body); err != nil {
				return nil, fmt.Errorf("decode body: %w", err)
			}
		}
	}
	if query["reply"] == "binary" {
		// Answer the request body back, reversed, as binary.
		rev := make([]byte, len(body))
		for k := range body {
			rev[len(body)-1-k] = body[k]
		}
		return &events.HTTPTriggerResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			IsBase64Encoded: true,
			Body:            base64.StdEncoding.EncodeToString(rev),
		}, nil
	}
	echo, err := json.Marshal(httpEcho{Event: ev, BodyB64: base64.StdEncoding.EncodeToString(body), RawEvent: payload})
	if err != nil {
		return nil, err
	}
	return &events.HTTPTriggerResponse{
		StatusCode: 201,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Echo": "yes"},
		Body:       string(echo),
	}, nil
}

// handleCloudEvents refuses a message "fail-once" the first time it sees
// its id and "fail-always" every time, so the tests can watch retries.
func handleCloudEvents(ctx context.Context, payload []byte) (any, error) {
	var batch []events.MnsQueueEvent
	if err := json.Unmarshal(payload, &batch); err != nil {
		return nil, fmt.Errorf("decode cloud events: %w", err)
	}
	fctx, _ := fccontext.FromContext(ctx)
	appendLine("eventbridge.log", fmt.Sprintf("retry=%d %s", fctx.RetryCount, strings.TrimSpace(string(payload))))
	for _, e := range batch {
		if e.Data == nil || e.Data.MessageBody == nil || e.Data.MessageID == nil {
			return nil, errors.New("cloud event without data")
		}
		switch *e.Data.MessageBody {
		case "fail-always":
			return nil, errors.New("message refused")
		case "fail-once":
			seen, _ := os.ReadFile(filepath.Join(os.Getenv("FCFUNC_STATE"), "seen.log"))
			if !strings.Contains(string(seen), *e.Data.MessageID+"\n") {
				appendLine("seen.log", *e.Data.MessageID)
				return nil, errors.New("first delivery refused")
			}
		}
	}
	return map[string]int{"messages": len(batch)}, nil
}

func appendLine(name, line string) {
	dir := os.Getenv("FCFUNC_STATE")
	if dir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line + "\n")
}
