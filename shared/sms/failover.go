package sms

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Secondary is a provider that can say, before sending, whether a request
// can go through it at all (a template without a mapping never can).
type Secondary interface {
	Provider
	CanSend(req Request) (bool, string)
}

// Failover sends through the primary and, only when the primary provably
// did not send for a reason on its side, through the secondary. It never
// fails over after an ambiguous outcome (the primary may have sent), a
// per-number refusal (flow control, blacklist, bad number: the secondary
// would bypass them) or the caller's own mistake. A circuit breaker skips
// a primary that keeps failing; its state is per instance (docs/providers.md).
type Failover struct {
	primary   Provider
	secondary Secondary
	breaker   *gobreaker.TwoStepCircuitBreaker[struct{}]
	log       *slog.Logger
}

// Events of failover and provider health (obs.EventFailover and
// obs.EventCircuit; shared/sms does not import obs).
const (
	EventFailover = "sms.failover"
	EventCircuit  = "sms.circuit"
)

// BreakerSettings configure the primary's circuit.
type BreakerSettings struct {
	// Failures in a row that open the circuit; Open is how long it stays
	// open before one trial request (half-open).
	Failures int
	Open     time.Duration
}

var errProviderSide = errors.New("provider-side failure")

// errNotAttempted: no call was made (too little time left); the breaker
// excludes it from its counts.
var errNotAttempted = errors.New("no call made")

// NewFailover builds the pair. log receives sms.failover and sms.circuit.
func NewFailover(primary Provider, secondary Secondary, bs BreakerSettings, log *slog.Logger) *Failover {
	f := &Failover{primary: primary, secondary: secondary, log: log}
	f.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        primary.Name(),
		MaxRequests: 1,
		Timeout:     bs.Open,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(bs.Failures) },
		IsExcluded:  func(err error) bool { return errors.Is(err, errNotAttempted) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			level := slog.LevelWarn
			if to == gobreaker.StateClosed {
				level = slog.LevelInfo
			}
			f.log.LogAttrs(context.Background(), level, EventCircuit, slog.String("provider", name),
				slog.String("from", from.String()), slog.String("to", to.String()),
				slog.String("secondary", secondary.Name()))
		},
	})
	return f
}

// Name is the primary's: the pair answers as its primary.
func (f *Failover) Name() string { return f.primary.Name() }

// Send implements the policy. Every attempt carries its provider; a
// failover is logged (sms.failover) in the request's trace.
func (f *Failover) Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	mapped, why := f.secondary.CanSend(req)
	done, err := f.breaker.Allow()
	if err != nil {
		if mapped {
			f.logFailover(ctx, "circuit_open", Outcome{})
			return labelled(ctx, f.secondary, req, hook, 0)
		}
		// Nowhere else to go: the primary is still the best chance, and
		// this call does not count towards its health.
		return labelled(ctx, f.primary, req, hook, 0)
	}
	out, attempts := labelled(ctx, f.primary, req, hook, 0)
	switch {
	case out.NotAttempted:
		done(errNotAttempted) // neither a failure nor a success
	case providerSide(out):
		done(errProviderSide)
	default:
		done(nil)
	}
	if !ShouldFailOver(out) {
		return out, attempts
	}
	if !mapped {
		// An outage the secondary could have carried, had the template a
		// mapping: worth a line, so the map gets completed. (A refused
		// sign or template of an unmapped request is the caller's.)
		if providerSide(out) {
			f.log.LogAttrs(ctx, slog.LevelWarn, EventFailover, slog.String("provider", f.primary.Name()),
				slog.String("failover_reason", reason(out)), slog.String("failover_skipped", why))
		}
		return out, attempts
	}
	f.logFailover(ctx, reason(out), out)
	out2, more := labelled(ctx, f.secondary, req, hook, len(attempts))
	return out2, append(attempts, more...)
}

func (f *Failover) logFailover(ctx context.Context, why string, primary Outcome) {
	f.log.LogAttrs(ctx, slog.LevelWarn, EventFailover, slog.String("provider", f.secondary.Name()),
		slog.String("failover_from", f.primary.Name()), slog.String("failover_reason", why),
		slog.String("error_code", primary.Code))
}

func reason(o Outcome) string {
	if o.Code != "" {
		return string(o.Class) + ":" + o.Code
	}
	return string(o.Class)
}

// providerUnapproved are Alibaba's refusals of a sign or template that is
// not approved there. Failover only considers them for a request whose
// sign is the template's mapped one (TemplateMap.ForTencent), so the
// refusal is the provider's state, not a caller's typo.
var providerUnapproved = set("isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_SIGNATURE_ILLEGAL",
	"isv.SIGN_STATE_ILLEGAL", "isv.SMS_SIGNATURE_SCENE_ILLEGAL")

// ShouldFailOver reports whether the primary's outcome proves nothing was
// sent, for a reason on the provider's side: unavailable before sending
// (5xx, system error, connection refused), API throttling, credentials,
// account or balance, sign or template not approved there.
func ShouldFailOver(o Outcome) bool {
	if o.NotAttempted {
		return false // the invocation's lack of time, not the provider's failure
	}
	switch o.Class {
	case ClassTransient, ClassThrottling, ClassAccount, ClassCredentials:
		return o.Status == StatusFailed || o.Status == StatusThrottled
	case ClassCaller:
		return o.Status == StatusRejected && providerUnapproved[o.Code]
	}
	return false
}

// providerSide reports whether an outcome counts against the provider's
// health: it failed for its own reasons, or could not say what it did.
func providerSide(o Outcome) bool {
	if o.NotAttempted {
		return false
	}
	switch o.Class {
	case ClassTransient, ClassThrottling, ClassAccount, ClassCredentials, ClassAmbiguous, ClassUpstream:
		return true
	}
	return false
}
