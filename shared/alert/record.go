package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// RecordType tells the two kinds of alert.state records apart.
type RecordType string

const (
	// RecordTransition claims a new state for a key. It names the head it
	// starts from (Prev); readers adopt only the first claim on each head,
	// so of two racing runs exactly one wins (compare-and-swap on a log).
	RecordTransition RecordType = "transition"
	// RecordDelivery is the outcome of sending one claimed notice. It is a
	// fact, not a claim: readers apply it whatever its position in the log.
	RecordDelivery RecordType = "delivery"
)

// Record is one alert.state event, the unit StateLog stores. It carries a
// full state snapshot so a reader can start from any point of the log.
type Record struct {
	Type  RecordType `json:"type"`
	ID    string     `json:"id"`
	RunID string     `json:"run_id"`
	Key   Key        `json:"key"`
	At    time.Time  `json:"at"`
	// Transition fields.
	Prev  string    `json:"prev,omitempty"`
	Slot  time.Time `json:"slot,omitzero"`
	From  Status    `json:"from,omitempty"`
	State *State    `json:"state,omitempty"`
	// Delivery fields.
	ClaimID string     `json:"claim_id,omitempty"`
	Channel string     `json:"channel,omitempty"`
	Kind    NoticeKind `json:"kind,omitempty"`
	OK      bool       `json:"ok,omitempty"`
	// Unknown marks a notice that may have been delivered (the channel
	// could not tell): readers settle it like a delivery, so it is never
	// sent again automatically.
	Unknown bool   `json:"unknown,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	Error   string `json:"error,omitempty"`
}

// transitionID is deterministic in (rule, group, slot, from-state): two
// runs that evaluate the same slot from the same head produce the same id,
// which makes a duplicated timer delivery recognisable in the log.
func transitionID(k Key, slot time.Time, prev string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%s", k.Rule, k.Group, slot.Unix(), prev))
	return hex.EncodeToString(sum[:12])
}

// deliveryID names the outcome of one claim on one channel.
func deliveryID(claimID, channel string) string { return claimID + "/" + channel }
