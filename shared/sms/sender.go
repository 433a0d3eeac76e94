package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/netx"
	"smsflow/shared/phone"
	scrubpkg "smsflow/shared/scrub"
)

// Request is one validated SendSms call: one template to 1..1000 numbers.
type Request struct {
	Numbers        []phone.Number
	SignName       string
	TemplateCode   string
	TemplateParams map[string]string
	OutID          string
}

// AttemptHook is told about every call as soon as it ends, so an attempt is
// recorded even if what follows it fails.
type AttemptHook func(ctx context.Context, a Attempt)

// Sender sends through Dysmsapi with safe retries. An FC instance runs one
// invocation at a time, but Sender stays safe for concurrent use: dispatch
// sends a batch's messages side by side, and tests drive it concurrently.
type Sender struct {
	cfg     config.Dysms
	creds   *creds.Source
	clients *clientCache
	// margin is kept free before the invocation deadline to log and answer.
	margin time.Duration
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	quiet  netx.Quiet    // a pause after a quiet spell (netx/quiet.go)
	calls  netx.Detached // runs the SendSms the SDK gives no context for
}

// New returns a Sender.
func New(cfg config.Dysms, src *creds.Source) *Sender {
	return &Sender{cfg: cfg, creds: src, clients: newClientCache(cfg), margin: 250 * time.Millisecond,
		now: time.Now, sleep: sleepCtx}
}

// CallBudget is how much time before a context's deadline one SendSms
// needs for Send to start it: the call's timeout (SMSFLOW_DYSMS_TIMEOUT)
// and the margin kept to log and answer. With less, nothing is sent.
func (s *Sender) CallBudget() time.Duration { return s.cfg.ReadTimeout + s.margin }

// Send calls SendSms until it is accepted, refused, or a retry is either
// unsafe (the outcome is unknown) or no longer useful. It retries only what
// provably did not send, with jittered exponential backoff, and never starts
// a call that could not finish before ctx's deadline. Every attempt and
// the outcome say Provider "alibaba", alone or behind a Failover.
func (s *Sender) Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	return labelled(ctx, dysmsCalls{s}, req, hook, 0)
}

// dysmsCalls is the Sender's retry loop as a Provider, for labelled.
type dysmsCalls struct{ s *Sender }

func (d dysmsCalls) Name() string { return ProviderAlibaba }

func (d dysmsCalls) Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	return d.s.send(ctx, req, hook)
}

func (s *Sender) send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	triple, err := s.creds.Get(ctx)
	if err != nil {
		o := Outcome{Status: StatusFailed, Class: ClassCredentials, Detail: err.Error()}
		return o, nil
	}
	params, err := encodeParams(req.TemplateParams)
	if err != nil {
		return Outcome{Status: StatusRejected, Class: ClassCaller, Detail: err.Error()}, nil
	}
	callCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithDeadline(ctx, dl.Add(-s.margin))
		defer cancel()
	}
	api := &dysmsapi.SendSmsRequest{
		PhoneNumbers:  tea.String(joinNumbers(req.Numbers)),
		SignName:      tea.String(req.SignName),
		TemplateCode:  tea.String(req.TemplateCode),
		TemplateParam: params,
	}
	// The OutId links the receipts back to this trace (outid.go).
	if out := WireOutID(ctx, req.OutID); out != "" {
		api.OutId = tea.String(out)
	}
	if !s.fits(callCtx, 0) {
		// The first call obeys the retries' rule: one that could not end
		// (answer or time out cleanly) before the deadline could only end
		// as "unknown" while Alibaba may well send it. Nothing goes out.
		return Outcome{Status: StatusFailed, Class: ClassTransient, NotAttempted: true,
			Detail: "the invocation deadline left less time than one Dysmsapi call may take; nothing was sent"}, nil
	}
	var attempts []Attempt
	for n := 1; ; n++ {
		start := s.now()
		res := s.call(callCtx, triple, api)
		// Latency is the call's own; scrubbing is our work, not Alibaba's.
		a := Attempt{Number: n, Start: start, Latency: s.now().Sub(start)}
		out := scrub(res, req)
		a.Outcome = out
		attempts = append(attempts, a)
		if hook != nil {
			hook(ctx, a)
		}
		if !out.Retryable() || n >= s.cfg.MaxAttempts {
			return out, attempts
		}
		delay := backoff(s.cfg.BackoffInitial, n)
		if !s.fits(callCtx, delay) {
			return out, attempts
		}
		if err := s.sleep(callCtx, delay); err != nil {
			return out, attempts
		}
	}
}

// fits reports whether a call started after delay could still end (answer
// or time out cleanly) before the deadline. It is the one rule for the
// first call and every retry.
func (s *Sender) fits(ctx context.Context, delay time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || s.now().Add(delay+s.cfg.ReadTimeout).Before(dl)
}

// call runs one SendSms. The SDK takes no context, so the call runs in its
// own goroutine and a deadline that passes first ends the wait: the call may
// still reach Alibaba, so that is an unknown outcome, never a retry.
func (s *Sender) call(ctx context.Context, triple creds.Triple, req *dysmsapi.SendSmsRequest) Outcome {
	client, release, err := s.clients.lend(triple)
	if err != nil {
		return Outcome{Status: StatusFailed, Class: ClassCredentials, Detail: fmt.Sprintf("building the Dysmsapi client: %v", err)}
	}
	type result struct {
		resp *dysmsapi.SendSmsResponse
		err  error
	}
	s.quiet.Settle(ctx, s.now())
	defer func() { s.quiet.Ended(s.now()) }()
	var r result
	done := s.calls.Go(func() {
		// The client goes back only once the SDK is done with it, even
		// when nobody waits for this call any more.
		defer release()
		r.resp, r.err = client.SendSmsWithOptions(req, &util.RuntimeOptions{})
	})
	select {
	case perr := <-done:
		if perr != nil {
			// The SDK panicked, before or after the request left: unknown.
			r.err = perr
		}
		if r.err != nil {
			return Classify("", "", "", "", 0, r.err, s.now())
		}
		if r.resp == nil || r.resp.Body == nil {
			return Outcome{Status: StatusUnknown, Class: ClassAmbiguous, Detail: "Dysmsapi answered without a body"}
		}
		b := r.resp.Body
		return Classify(tea.StringValue(b.Code), tea.StringValue(b.Message), tea.StringValue(b.RequestId),
			tea.StringValue(b.BizId), int(tea.Int32Value(r.resp.StatusCode)), nil, s.now())
	case <-ctx.Done():
		return Outcome{Status: StatusUnknown, Class: ClassAmbiguous,
			Detail: "invocation deadline reached while waiting for Dysmsapi; the message may have been sent"}
	}
}

// backoff is exponential backoff with "equal" jitter: uniform in [d/2, d) with
// d = initial·2^(n-1), so retries from many instances spread out. It never
// panics: a delay that is not positive (config.Dysms.Validate refuses a
// negative one at start) means no wait, and the doubling stops short of
// overflowing (rand.N panics on a bound that is not positive).
func backoff(initial time.Duration, n int) time.Duration {
	if initial <= 0 {
		return 0
	}
	d := initial
	for ; n > 1 && d <= math.MaxInt64/2; n-- {
		d *= 2
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scrub hides the request's numbers and template parameter values in what
// Alibaba or the transport said (a message is answered to the caller and
// logged): the exact values first, then any long digit run (scrub.Text).
func scrub(o Outcome, req Request) Outcome {
	values := slices.Collect(maps.Values(req.TemplateParams))
	o.Message = scrubpkg.Text(o.Message, req.Numbers, values)
	o.Detail = scrubpkg.Text(o.Detail, req.Numbers, values)
	return o
}

func joinNumbers(ns []phone.Number) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.Upstream()
	}
	return strings.Join(parts, ",")
}

// encodeParams renders TemplateParam. Alibaba wants every value a string
// (isv.INVALID_JSON_PARAM otherwise); the map guarantees that.
func encodeParams(p map[string]string) (*string, error) {
	if len(p) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, errors.New("template_params cannot be encoded")
	}
	return tea.String(string(b)), nil
}
