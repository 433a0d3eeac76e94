package faults

import (
	"slices"
	"sync"
)

// Reserved is what a reserved ("magic") number triggers.
type Reserved struct {
	Kind Kind
	// FirstOnly: only the first request with this number since Reset.
	FirstOnly bool
}

// Lookup answers a number's key (its normalised form, which first-only use
// is remembered by) and what it triggers, if it is reserved.
type Lookup func(number string) (key string, r Reserved, ok bool)

// ReservedNumbers remembers which first-only numbers were used. It is safe
// for concurrent use.
type ReservedNumbers struct {
	lookup Lookup
	mu     sync.Mutex
	seen   map[string]bool
}

// NewReservedNumbers builds the tracker over an emulator's table.
func NewReservedNumbers(lookup Lookup) *ReservedNumbers {
	return &ReservedNumbers{lookup: lookup, seen: map[string]bool{}}
}

// Take answers the kind among kinds that a reserved number in numbers
// triggers, consuming a first-only number's single use.
func (r *ReservedNumbers) Take(numbers []string, kinds ...Kind) (Kind, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, raw := range numbers {
		key, m, ok := r.lookup(raw)
		if !ok || m.Kind == "" || !slices.Contains(kinds, m.Kind) {
			continue
		}
		if m.FirstOnly {
			if r.seen[key] {
				continue
			}
			r.seen[key] = true
		}
		return m.Kind, true
	}
	return "", false
}

// Reset forgets which first-only numbers were used.
func (r *ReservedNumbers) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = map[string]bool{}
}
