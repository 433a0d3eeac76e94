package sms

import "context"

// Provider names, as events and answers carry them.
const (
	ProviderAlibaba = "alibaba"
	ProviderTencent = "tencent"
)

// Provider is one SMS provider: it sends a validated request and says what
// became of it, per number where the provider answers per number. Send
// never resends what may have been sent.
type Provider interface {
	Name() string
	Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt)
}

// Name makes the Dysmsapi Sender a Provider.
func (s *Sender) Name() string { return ProviderAlibaba }

// labelled runs p.Send with every attempt and the outcome labelled with
// p's name, so no caller can forget whose outcome it holds. Attempts are
// numbered after the offset earlier providers' attempts took.
func labelled(ctx context.Context, p Provider, req Request, hook AttemptHook, offset int) (Outcome, []Attempt) {
	name := p.Name()
	out, attempts := p.Send(ctx, req, func(ctx context.Context, a Attempt) {
		a.Outcome.Provider = name
		a.Number += offset
		if hook != nil {
			hook(ctx, a)
		}
	})
	out.Provider = name
	for i := range attempts {
		attempts[i].Outcome.Provider = name
		attempts[i].Number += offset
	}
	return out, attempts
}
