package alert

import (
	"maps"
	"sort"
	"strings"
	"time"
)

// Status of one (rule, group) alert.
type Status string

const (
	StatusOK       Status = "ok"
	StatusPending  Status = "pending"  // breaching, fewer than `for` times in a row
	StatusFiring   Status = "firing"   // breaching `for` times in a row
	StatusResolved Status = "resolved" // stopped breaching; resolved notices still owed
)

// Key identifies one alert: a rule and, for grouped rules, one group.
type Key struct {
	Rule  string `json:"rule"`
	Group string `json:"group,omitempty"` // canonical "k=v,k=v" form, values escaped, see groupKey
}

func (k Key) String() string {
	if k.Group == "" {
		return k.Rule
	}
	return k.Rule + "{" + k.Group + "}"
}

// groupKey renders group labels canonically (sorted) so the same group
// always gives the same key and the same transition ids.
func groupKey(group map[string]string) string {
	if len(group) == 0 {
		return ""
	}
	keys := make([]string, 0, len(group))
	for k := range group {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + literal(group[k]) // values may hold "," or "="
	}
	return strings.Join(parts, ",")
}

// State of one alert as folded from the state log. The zero State is ok.
type State struct {
	Status   Status            `json:"status"`
	Group    map[string]string `json:"group,omitempty"`
	Breaches int               `json:"breaches,omitempty"` // consecutive breaching evaluations
	Slot     time.Time         `json:"slot"`               // last evaluated slot
	ActiveAt time.Time         `json:"active_at,omitzero"` // first breach of this episode
	FiredAt  time.Time         `json:"fired_at,omitzero"`
	// ResolvedAt is set while resolved notices are owed.
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Value      float64   `json:"value"`
	NoData     bool      `json:"no_data,omitempty"` // the last query had no row (or a null value) for the key
	// UndecidedSince is the first slot of the current run of evaluations
	// with too few samples (or no data) to say either way; zero when the
	// last one decided. A pending or firing alert keeps its state through
	// such a run until it has lasted a whole window (hysteresis).
	UndecidedSince time.Time `json:"undecided_since,omitzero"`
	Samples        int64     `json:"samples,omitempty"`
	Example        string    `json:"example_trace_id,omitempty"`
	// LastSent is, per channel, when a firing notice of this episode was
	// last delivered: drives repeat_interval and who gets a resolved notice.
	LastSent map[string]time.Time `json:"last_sent,omitempty"`
	// Outbox holds, per channel, the notice owed and who claimed it.
	Outbox map[string]Notice `json:"outbox,omitempty"`
}

// NoticeKind says what a notification announces.
type NoticeKind string

const (
	NoticeFiring   NoticeKind = "firing"
	NoticeRepeat   NoticeKind = "repeat"
	NoticeResolved NoticeKind = "resolved"
)

// Notice is a notification owed to one channel.
type Notice struct {
	Kind NoticeKind `json:"kind"`
	// ClaimID is the record whose winner must send it (see Record).
	ClaimID   string    `json:"claim_id"`
	ClaimedAt time.Time `json:"claimed_at"`
	Attempts  int       `json:"attempts,omitempty"`
	// Failed marks a recorded failure: the next run retries at once.
	Failed    bool   `json:"failed,omitempty"`
	LastError string `json:"last_error,omitempty"`
}

// clone copies the maps so a new state never aliases a loaded one.
func (s State) clone() State {
	out := s
	out.LastSent = maps.Clone(s.LastSent)
	out.Outbox = maps.Clone(s.Outbox)
	return out
}
