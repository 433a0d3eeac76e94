package faults

import (
	"fmt"
	"slices"
	"sync"
)

// Rules are what one emulator accepts.
type Rules struct {
	// Kinds lists every kind the emulator implements.
	Kinds []Kind
	// LatencyKinds need a latency (a latency fault without one means nothing).
	LatencyKinds []Kind
	// Actions lists the API actions a fault may name.
	Actions []string
	// DefaultActions are the actions a fault with an empty Action hits.
	DefaultActions []string
}

// List is an emulator's armed faults, oldest first. It is safe for
// concurrent use.
type List struct {
	rules  Rules
	mu     sync.Mutex
	nextID int
	faults []Fault
}

// NewList builds an empty List that accepts what rules allow.
func NewList(rules Rules) *List { return &List{rules: rules} }

// Validate answers why f cannot be armed, or nil.
func (l *List) Validate(f Fault) error {
	switch {
	case !slices.Contains(l.rules.Kinds, f.Kind):
		return fmt.Errorf("unknown fault kind %q (known: %v)", f.Kind, l.rules.Kinds)
	case f.Count < 0:
		return fmt.Errorf("fault count %d is negative", f.Count)
	case f.Latency < 0:
		return fmt.Errorf("fault latency %s is negative", f.Latency)
	case slices.Contains(l.rules.LatencyKinds, f.Kind) && f.Latency == 0:
		return fmt.Errorf("a %s fault needs a latency", f.Kind)
	case f.Action != "" && f.Action != "*" && !slices.Contains(l.rules.Actions, f.Action):
		return fmt.Errorf("unknown action %q (known: %v)", f.Action, l.rules.Actions)
	}
	return nil
}

// Add arms f after the faults already armed (the oldest matching fault
// fires first) and answers it with its id.
func (l *List) Add(f Fault) (Fault, error) {
	if err := l.Validate(f); err != nil {
		return Fault{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	f.ID = l.nextID
	l.faults = append(l.faults, f)
	return f, nil
}

// All answers the faults still armed.
func (l *List) All() []Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.faults)
}

// Clear disarms every fault.
func (l *List) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faults = nil
}

// Take consumes the oldest fault of one of kinds that applies to action:
// a counted fault loses one use and goes once spent.
func (l *List) Take(action string, kinds ...Kind) (Fault, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.faults {
		if !l.appliesTo(f, action) || !slices.Contains(kinds, f.Kind) {
			continue
		}
		if f.Count > 0 {
			l.faults[i].Count--
			if l.faults[i].Count == 0 {
				l.faults = slices.Delete(l.faults, i, i+1)
			}
		}
		return f, true
	}
	return Fault{}, false
}

func (l *List) appliesTo(f Fault, action string) bool {
	switch f.Action {
	case "":
		return slices.Contains(l.rules.DefaultActions, action)
	case "*":
		return true
	default:
		return f.Action == action
	}
}
