package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// SMSSender sends one templated SMS. The lead backs it with the shared
// sender (shared/sms), so alert texts go through the same client, retries
// and logging as any other message.
type SMSSender interface {
	SendSMS(ctx context.Context, req SMSRequest) error
}

// SMSRequest is one message to one number.
type SMSRequest struct {
	Phone        string
	SignName     string
	TemplateCode string
	Params       map[string]string
	OutID        string // ties the receipt to the notice
}

// smsParamMaxRunes keeps template variables within Dysmsapi's length
// limit for notification variables.
const smsParamMaxRunes = 35

// SMS texts the on-call numbers through an approved template whose
// variables are filled from the message (${rule}, ${status}, ...).
type SMS struct {
	Sender       SMSSender
	SignName     string
	TemplateCode string
	Phones       []string
	Params       map[string]string // template variable -> ${name} text
}

func (s *SMS) Send(ctx context.Context, m Message) error {
	if len(s.Phones) == 0 {
		return errors.New("sms: no on-call numbers")
	}
	params := make(map[string]string, len(s.Params))
	for k, text := range s.Params {
		params[k] = truncateRunes(Expand(text, m.Vars), smsParamMaxRunes)
	}
	// Every number is texted at once, each with the whole send timeout:
	// one after another, a first number whose SendSms hangs until the
	// timeout (its outcome unknown, so never retried) would leave the
	// others no time at all, and nobody would be woken.
	errs := make([]error, len(s.Phones))
	var wg sync.WaitGroup
	for i, phone := range s.Phones {
		wg.Go(func() {
			errs[i] = s.Sender.SendSMS(ctx, SMSRequest{
				Phone: phone, SignName: s.SignName, TemplateCode: s.TemplateCode, Params: params, OutID: m.ID,
			})
		})
	}
	wg.Wait()
	var failed []error
	delivered, unknown := 0, 0
	for i, err := range errs {
		var u *UnknownError
		switch {
		case err == nil:
			delivered++
			continue
		case errors.As(err, &u):
			unknown++
		}
		// Never print the full number: on-call numbers are personal data.
		failed = append(failed, fmt.Errorf("%s: %w", MaskPhone(s.Phones[i]), err))
	}
	joined := fmt.Errorf("sms: %w", errors.Join(failed...))
	switch {
	case len(failed) == 0:
		return nil
	case delivered > 0:
		// Re-sending would page the reached people twice.
		return &PartialError{Err: joined}
	case unknown > 0:
		// None surely reached, some may have been: a retry could page
		// twice, so it is not retried (see UnknownError).
		return &UnknownError{Err: joined}
	default:
		return joined
	}
}

// MaskPhone keeps the first 3 and last 4 digits of a number long enough
// to hide something (138****8000), and only the last 2 of shorter ones.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	switch {
	case len(r) >= 11:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
