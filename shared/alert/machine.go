package alert

import (
	"maps"
	"math"
	"slices"
	"time"
)

// observation is one group's row of a rule query.
type observation struct {
	Group   map[string]string
	Value   float64
	Samples int64
	Example string
}

// stepInput is everything one evaluation of one key depends on.
type stepInput struct {
	rule     Rule
	slot     time.Time
	obs      *observation // nil: the group returned no row (no data)
	silenced bool
	channels []string // the rule's enabled channels
	lease    time.Duration
	claimID  string // id of the transition this step would write
	// now is the wall clock: a claim is stamped with it and expires a
	// lease after it by the wall clock of the run that reads it, never by
	// slots (a late timer delivery's slot lies behind the clock, so a
	// slot-stamped claim could be taken over while its sender still
	// sends).
	now time.Time
}

// step is the state machine: ok → pending → firing → (repeat) → resolved → ok.
// It is pure so the table tests can drive it. changed is false when
// nothing worth a record happened (a steady ok or firing alert writes no
// record until a notice falls due).
func step(prev State, in stepInput) (next State, changed bool) {
	s := prev.clone()
	if s.Status == "" {
		s.Status = StatusOK
	}
	s.Slot = in.slot
	// A channel taken off the rule (or disabled) is owed nothing any more;
	// otherwise its notice would keep the alert from ever settling.
	maps.DeleteFunc(s.Outbox, func(ch string, _ Notice) bool { return !slices.Contains(in.channels, ch) })
	r := in.rule
	breach, decided := false, false
	if o := in.obs; o != nil {
		s.Group, s.Samples, s.Example = o.Group, o.Samples, o.Example
		// Too few samples is no evidence either way: 1 failure of 1 send
		// says nothing, and neither does 1 success.
		decided = o.Samples >= r.MinSamples && !math.IsNaN(o.Value)
		breach = decided && r.breaches(o.Value)
	}
	// NaN (a quantile over no rows) cannot be stored as JSON: keep a flag.
	s.NoData = in.obs == nil || math.IsNaN(in.obs.Value)
	if s.NoData {
		s.Value, s.Samples, s.Example = 0, 0, ""
	} else {
		s.Value = in.obs.Value
	}
	switch {
	case breach:
		s.UndecidedSince = time.Time{}
		onBreach(&s, r, in.slot)
	case decided:
		s.UndecidedSince = time.Time{}
		onClear(&s, in.channels)
	case s.Status != StatusPending && s.Status != StatusFiring:
		s.UndecidedSince = time.Time{}
		onClear(&s, in.channels) // ok stays ok; resolved settles
	default:
		// Pending or firing with too few samples: keep the state, so
		// traffic hovering around min_samples cannot flap the alert
		// between firing and resolved. A whole window without evidence
		// (traffic gone) clears it as "no data".
		if s.UndecidedSince.IsZero() {
			s.UndecidedSince = in.slot
		}
		if !in.slot.Before(s.UndecidedSince.Add(r.Window)) {
			s.UndecidedSince = time.Time{}
			onClear(&s, in.channels)
		}
	}
	if s.Status == StatusFiring && !in.silenced {
		claimFiring(&s, in)
	}
	reclaimExpired(&s, in, NoticeResolved)
	return s, meaningfulChange(prev, s)
}

func onBreach(s *State, r Rule, slot time.Time) {
	if s.Status == StatusOK || s.Status == StatusResolved {
		// A new episode: whatever the last one still owed is moot.
		*s = State{Status: StatusPending, Group: s.Group, Slot: s.Slot, ActiveAt: slot,
			Value: s.Value, Samples: s.Samples, Example: s.Example}
	}
	if s.Breaches < r.For {
		s.Breaches++ // capped at For: a steady firing alert writes nothing
	}
	if s.Status == StatusPending && s.Breaches >= r.For {
		s.Status, s.FiredAt = StatusFiring, slot
	}
}

func onClear(s *State, channels []string) {
	s.Breaches = 0
	switch s.Status {
	case StatusPending:
		*s = State{Status: StatusOK, Group: s.Group, Slot: s.Slot, Value: s.Value, Samples: s.Samples}
	case StatusFiring:
		s.Status, s.ResolvedAt = StatusResolved, s.Slot
		outbox := map[string]Notice{}
		for _, ch := range channels {
			// Tell the channels that heard (or may be hearing) it fired.
			n, owed := s.Outbox[ch]
			inFlight := owed && !n.Failed && n.Kind != NoticeResolved
			if !s.LastSent[ch].IsZero() || inFlight {
				outbox[ch] = Notice{Kind: NoticeResolved}
			}
		}
		s.Outbox = outbox
	case StatusResolved:
		if len(s.Outbox) == 0 {
			*s = State{Status: StatusOK, Group: s.Group, Slot: s.Slot, Value: s.Value, Samples: s.Samples}
		}
	}
}

// claimFiring puts a firing (or repeat) notice in the outbox of every
// channel that is due one and is not already being served by a live claim.
func claimFiring(s *State, in stepInput) {
	for _, ch := range in.channels {
		n, owed := s.Outbox[ch]
		if owed && !claimExpired(n, in) {
			continue
		}
		last := s.LastSent[ch]
		kind := NoticeRepeat
		due := owed // a failed or abandoned notice is retried
		if last.IsZero() {
			kind, due = NoticeFiring, true
		} else if in.rule.RepeatInterval > 0 && !in.slot.Before(last.Add(in.rule.RepeatInterval)) {
			due = true
		}
		if owed && n.Kind == NoticeFiring {
			kind = NoticeFiring
		}
		if due {
			if s.Outbox == nil {
				s.Outbox = map[string]Notice{}
			}
			s.Outbox[ch] = Notice{Kind: kind, ClaimID: in.claimID, ClaimedAt: in.now, Attempts: n.Attempts}
		}
	}
}

// reclaimExpired gives notices of the given kind that are unclaimed,
// failed or abandoned to this step's claim.
func reclaimExpired(s *State, in stepInput, kind NoticeKind) {
	for ch, n := range s.Outbox {
		if n.Kind == kind && (n.ClaimID == "" || claimExpired(n, in)) {
			n.ClaimID, n.ClaimedAt, n.Failed = in.claimID, in.now, false
			s.Outbox[ch] = n
		}
	}
}

// claimExpired: the claim failed, or its sender recorded nothing within
// the lease (it died or was frozen), so another run may send it again.
// A live sender never sends past its lease (Evaluator.leaseFits).
func claimExpired(n Notice, in stepInput) bool {
	return n.ClaimID == "" || n.Failed || !in.now.Before(n.ClaimedAt.Add(in.lease))
}

// meaningfulChange ignores fields that move every evaluation (value, slot)
// so that a steady alert does not write a record a minute.
func meaningfulChange(a, b State) bool {
	if a.Status == "" {
		a.Status = StatusOK
	}
	return a.Status != b.Status || a.Breaches != b.Breaches || !a.UndecidedSince.Equal(b.UndecidedSince) ||
		!maps.Equal(a.Outbox, b.Outbox) || !maps.EqualFunc(a.LastSent, b.LastSent, time.Time.Equal)
}
