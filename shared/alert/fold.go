package alert

import "time"

// Folded is the state log read back: the current state of every key and
// which claims won.
type Folded struct {
	States map[Key]State
	heads  map[Key]string
	won    map[string]bool // transition id + run id of adopted claims
	// Lost counts claims that came second on a head and were ignored.
	Lost int
}

// Fold replays records (in append order) into states. Every reader folds
// the same log the same way, so every run agrees on who won each claim:
//   - a transition is adopted only if its Prev is the key's current head
//     (or it is the first record seen for the key: the log may have been
//     read from a point after the chain began);
//   - a later transition on the same head lost the race and is ignored,
//     even if it has the same deterministic id (a duplicate run);
//   - delivery outcomes are applied to whichever state holds their claim.
func Fold(records []Record) *Folded {
	f := &Folded{
		States: map[Key]State{},
		heads:  map[Key]string{},
		won:    map[string]bool{},
	}
	outcomes := map[string]Record{}
	for _, r := range records {
		switch r.Type {
		case RecordTransition:
			head, seen := f.heads[r.Key]
			if r.State == nil || (seen && r.Prev != head) {
				f.Lost++
				continue
			}
			f.heads[r.Key] = r.ID
			f.won[r.ID+"\x00"+r.RunID] = true
			f.States[r.Key] = applyOutcomes(r.State.clone(), outcomes)
		case RecordDelivery:
			outcomes[deliveryID(r.ClaimID, r.Channel)] = r
			if s, ok := f.States[r.Key]; ok {
				f.States[r.Key] = applyOutcomes(s.clone(), outcomes)
			}
		}
	}
	return f
}

// Won reports whether the transition record r was adopted.
func (f *Folded) Won(r Record) bool { return f.won[r.ID+"\x00"+r.RunID] }

// Head is the id of the key's adopted transition, "" when it has none.
func (f *Folded) Head(k Key) string { return f.heads[k] }

// applyOutcomes settles the notices whose claim has a recorded outcome.
func applyOutcomes(s State, outcomes map[string]Record) State {
	for ch, n := range s.Outbox {
		out, ok := outcomes[deliveryID(n.ClaimID, ch)]
		if !ok {
			continue
		}
		if out.OK || out.Unknown {
			// An unknown outcome may have reached people: it counts as
			// sent (no retry; a resolved notice follows a firing one).
			delete(s.Outbox, ch)
			if n.Kind != NoticeResolved {
				if s.LastSent == nil {
					s.LastSent = map[string]time.Time{}
				}
				s.LastSent[ch] = out.At
			}
			continue
		}
		n.Failed, n.Attempts, n.LastError = true, out.Attempt, out.Error
		s.Outbox[ch] = n
	}
	return s
}
