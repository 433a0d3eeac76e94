package alert

import (
	"testing"
	"time"
)

func TestFoldFirstClaimOnAHeadWins(t *testing.T) {
	k := Key{Rule: "r"}
	slot := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	id := transitionID(k, slot, "")
	a := Record{Type: RecordTransition, ID: id, RunID: "A", Key: k, State: &State{Status: StatusPending, Breaches: 1}}
	b := Record{Type: RecordTransition, ID: id, RunID: "B", Key: k, State: &State{Status: StatusPending, Breaches: 1}}
	f := Fold([]Record{a, b})
	if !f.Won(a) || f.Won(b) || f.Lost != 1 {
		t.Fatalf("same id from two runs: won A=%v B=%v lost=%d", f.Won(a), f.Won(b), f.Lost)
	}
	// A claim on top of the winner is adopted; a stale one is not.
	next := Record{Type: RecordTransition, ID: transitionID(k, slot.Add(time.Minute), id), RunID: "C", Key: k,
		Prev: id, State: &State{Status: StatusFiring}}
	stale := Record{Type: RecordTransition, ID: "x", RunID: "D", Key: k, Prev: "", State: &State{Status: StatusOK}}
	f = Fold([]Record{a, b, next, stale})
	if !f.Won(next) || f.Won(stale) || f.States[k].Status != StatusFiring {
		t.Fatalf("chain: %+v", f.States[k])
	}
}

func TestFoldAppliesOutcomesWhateverTheirPosition(t *testing.T) {
	k := Key{Rule: "r"}
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	claim := Record{Type: RecordTransition, ID: "c1", RunID: "A", Key: k, State: &State{Status: StatusFiring,
		Outbox: map[string]Notice{"a": {Kind: NoticeFiring, ClaimID: "c1"}, "b": {Kind: NoticeFiring, ClaimID: "c1"}}}}
	okA := Record{Type: RecordDelivery, Key: k, ClaimID: "c1", Channel: "a", OK: true, At: t0}
	// B's claim was computed before A's outcome was visible: its snapshot
	// still shows channel a in flight under claim c1.
	later := Record{Type: RecordTransition, ID: "c2", RunID: "B", Key: k, Prev: "c1", State: claim.State}
	failB := Record{Type: RecordDelivery, Key: k, ClaimID: "c1", Channel: "b", Error: "HTTP 503", Attempt: 1}
	s := Fold([]Record{claim, okA, later, failB}).States[k]
	if _, owed := s.Outbox["a"]; owed || !s.LastSent["a"].Equal(t0) {
		t.Errorf("delivered notice still owed: %+v", s)
	}
	if n := s.Outbox["b"]; !n.Failed || n.LastError != "HTTP 503" || n.Attempts != 1 {
		t.Errorf("failed notice = %+v", n)
	}
	if len(claim.State.Outbox) != 2 {
		t.Error("Fold mutated a record's state")
	}
}
