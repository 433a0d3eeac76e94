package idem

import (
	"bytes"
	"encoding/json"
	"time"
)

// State of a record.
const (
	StateInFlight = "in_flight"
	StateDone     = "done"
)

// Record is what the store keeps under one idempotency key (as JSON).
type Record struct {
	State       string `json:"state"`
	Fingerprint string `json:"fp"`
	// Token identifies the claim's owner: only it may complete or release.
	Token string `json:"token"`
	// LeaseUntil (unix ms) is when an in-flight claim counts as abandoned.
	LeaseUntil int64 `json:"lease_until"`
	// Sending is set (Store.Begin) just before the message goes to
	// Alibaba: a claim that lapses before it was never sent and may be
	// taken over; one that lapses after it has an unknown outcome.
	Sending bool `json:"sending,omitempty"`
	// ClaimedAt (unix ms) and TraceID describe the first request.
	ClaimedAt int64   `json:"claimed_at"`
	TraceID   string  `json:"trace_id,omitempty"`
	Result    *Result `json:"result,omitempty"`
}

// Result is a stored answer, replayed to every later request with the key.
type Result struct {
	// Status is the sms status: accepted, rejected, unknown.
	Status    string `json:"status"`
	Class     string `json:"class,omitempty"`
	Code      string `json:"code,omitempty"`
	BizID     string `json:"biz_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// HTTPStatus and Body are the API's answer, replayed byte for byte.
	HTTPStatus int    `json:"http_status,omitempty"`
	Body       []byte `json:"body,omitempty"`
	// Abandoned marks an unknown outcome the store recorded itself because
	// the claim's owner never reported (its lease ran out).
	Abandoned bool `json:"abandoned,omitempty"`
}

// Leased reports whether an in-flight record's owner may still be working.
func (r Record) Leased(now time.Time) bool {
	return r.State == StateInFlight && now.UnixMilli() < r.LeaseUntil
}

func (r Record) encode() []byte {
	b, _ := json.Marshal(r) // a struct of strings and ints always encodes
	return b
}

// clone copies r and the Result it points to, so a change to one copy's
// result never shows in another.
func (r Record) clone() Record {
	if r.Result != nil {
		res := *r.Result
		res.Body = bytes.Clone(res.Body)
		r.Result = &res
	}
	return r
}

func decodeRecord(b []byte) (Record, error) {
	var r Record
	err := json.Unmarshal(b, &r)
	return r, err
}
