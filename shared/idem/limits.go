package idem

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Window is one limit: at most Limit sends Per rolling duration.
type Window struct {
	Limit int
	Per   time.Duration
}

func (w Window) String() string { return fmt.Sprintf("%d/%s", w.Limit, w.Per) }

// Limits are the per-number send limits by template kind.
type Limits struct {
	// kinds maps a template code to its kind; rules maps a kind to its
	// windows. A template without a kind uses the rules of kind "*", if any.
	kinds map[string]string
	rules map[string][]Window
}

// ParseLimits reads SMSFLOW_SEND_LIMITS ("verification=1/1m,5/1h;
// notification=50/24h") and SMSFLOW_TEMPLATE_KINDS ("SMS_OTP=verification,
// SMS_NOTICE=notification"). Rules "off" turn every limit off: an empty
// variable cannot, since the configuration reads empty as "use the default".
func ParseLimits(rules, kinds string) (Limits, error) {
	l := Limits{kinds: map[string]string{}, rules: map[string][]Window{}}
	if strings.TrimSpace(rules) == LimitsOff {
		rules = ""
	}
	for _, rule := range splitNonEmpty(rules, ";") {
		kind, spec, ok := strings.Cut(rule, "=")
		kind = strings.TrimSpace(kind)
		if !ok || kind == "" {
			return Limits{}, fmt.Errorf("send limit %q: want kind=N/duration[,N/duration]", rule)
		}
		for _, w := range splitNonEmpty(spec, ",") {
			n, per, ok := strings.Cut(w, "/")
			limit, err := strconv.Atoi(strings.TrimSpace(n))
			if !ok || err != nil || limit < 1 {
				return Limits{}, fmt.Errorf("send limit %q of %s: want N/duration with N ≥ 1", w, kind)
			}
			d, err := time.ParseDuration(strings.TrimSpace(per))
			if err != nil || d < time.Second {
				return Limits{}, fmt.Errorf("send limit %q of %s: the duration must be at least 1s", w, kind)
			}
			l.rules[kind] = append(l.rules[kind], Window{Limit: limit, Per: d})
		}
	}
	for _, pair := range splitNonEmpty(kinds, ",") {
		code, kind, ok := strings.Cut(pair, "=")
		code, kind = strings.TrimSpace(code), strings.TrimSpace(kind)
		if !ok || code == "" || kind == "" {
			return Limits{}, fmt.Errorf("template kind %q: want TEMPLATE_CODE=kind", pair)
		}
		l.kinds[code] = kind
	}
	return l, nil
}

// LimitsOff is the SMSFLOW_SEND_LIMITS value that turns every limit off.
const LimitsOff = "off"

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// For answers the kind of a template and the windows that apply to it.
func (l Limits) For(template string) (string, []Window) {
	kind, ok := l.kinds[template]
	if !ok {
		kind = "*"
	}
	return kind, l.rules[kind]
}

// Inert lists the limited kinds that SMSFLOW_TEMPLATE_KINDS names no
// template of: their limits apply to nothing ("*" applies to every
// template not named, so it is never inert).
func (l Limits) Inert() []string {
	named := map[string]bool{}
	for _, kind := range l.kinds {
		named[kind] = true
	}
	var out []string
	for kind := range l.rules {
		if kind != "*" && !named[kind] {
			out = append(out, kind)
		}
	}
	sort.Strings(out)
	return out
}

// Empty reports whether no template is limited.
func (l Limits) Empty() bool { return len(l.rules) == 0 }

// Describe lists the rules for a start-up line (no numbers in it).
func (l Limits) Describe() string {
	var parts []string
	for kind, ws := range l.rules {
		s := make([]string, len(ws))
		for i, w := range ws {
			s[i] = w.String()
		}
		parts = append(parts, kind+"="+strings.Join(s, ","))
	}
	return strings.Join(parts, "; ")
}

// Reservation is a send counted against the limits; Refund it when the
// message was not sent after all.
type Reservation struct {
	keys   []string
	member string
}

// Take counts one send to each number (phone hashes) against windows. When
// a window is full it counts nothing and answers how long until there is
// room. A multi-number request is allowed whole or refused whole. When it
// answers an error it takes back what it may have counted.
func (s *Store) Take(ctx context.Context, kind string, windows []Window, phoneHashes []string) (Reservation, time.Duration, error) {
	if len(windows) == 0 || len(phoneHashes) == 0 {
		return Reservation{}, 0, nil
	}
	var wk []windowKey
	var keys []string
	for _, h := range phoneHashes {
		for _, w := range windows {
			// The {hash} tag keeps one number's windows in one cluster slot.
			key := fmt.Sprintf("smsflow:limit:{%s}:%s:%d/%s", h, kind, w.Limit, w.Per)
			wk = append(wk, windowKey{key: key, limit: w.Limit, per: w.Per})
			keys = append(keys, key)
		}
	}
	member := make([]byte, 12)
	_, _ = rand.Read(member)
	r := Reservation{keys: keys, member: hex.EncodeToString(member)}
	wait, err := s.b.take(ctx, wk, r.member, s.now())
	if err != nil {
		// The script may have run although it answered an error (its reply
		// lost or late, the deadline passed): nothing will be sent, so the
		// count must not stay, or the caller's retry is refused by it.
		s.untakeBack(ctx, r)
		return Reservation{}, 0, fmt.Errorf("%w: send limits: %w", ErrUnavailable, err)
	}
	if wait > 0 {
		return Reservation{}, wait, nil
	}
	return r, 0, nil
}

// untakeBack removes a reservation that Take may have counted although it
// answered an error. Like takeBack it is always safe (the member is this
// Take's own, random) and runs briefly even when ctx has ended; if it
// fails too, the count leaves with its window.
func (s *Store) untakeBack(ctx context.Context, r Reservation) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), takeBackTimeout)
	defer cancel()
	_ = s.b.untake(ctx, r.keys, r.member)
}

// Refund gives back a reservation whose message was provably not sent.
func (s *Store) Refund(ctx context.Context, r Reservation) error {
	if len(r.keys) == 0 {
		return nil
	}
	if err := s.b.untake(ctx, r.keys, r.member); err != nil {
		return fmt.Errorf("%w: refund send limits: %w", ErrUnavailable, err)
	}
	return nil
}
