package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Kind names one way an emulated service can misbehave. The emulator
// defines its kinds; a List refuses kinds it was not told about.
type Kind string

// Fault is one injected misbehaviour.
type Fault struct {
	ID   int  `json:"id"`
	Kind Kind `json:"kind"`
	// Action limits the fault to one API action. Empty means the
	// emulator's default actions (Rules.DefaultActions, its send actions);
	// "*" means every action.
	Action string `json:"action,omitempty"`
	// Count is how many more requests the fault hits; 0 means until cleared.
	Count int `json:"count"`
	// Latency delays the answer. It is the whole point of a latency kind
	// and may be added to any other kind (the error then comes late).
	Latency time.Duration `json:"-"`
}

// faultJSON is Fault on the admin API: latency as a Go duration string
// ("1.5s") or as latency_ms.
type faultJSON struct {
	ID        int    `json:"id"`
	Kind      Kind   `json:"kind"`
	Action    string `json:"action,omitempty"`
	Count     int    `json:"count"`
	Latency   string `json:"latency,omitempty"`
	LatencyMS int64  `json:"latency_ms,omitempty"`
}

// MarshalJSON writes the admin API form.
func (f Fault) MarshalJSON() ([]byte, error) {
	v := faultJSON{ID: f.ID, Kind: f.Kind, Action: f.Action, Count: f.Count}
	if f.Latency > 0 {
		v.Latency = f.Latency.String()
		v.LatencyMS = f.Latency.Milliseconds()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads the admin API form; unknown fields are refused so a
// typo never arms a different fault than the one meant.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var v faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("fault: %w", err)
	}
	*f = Fault{ID: v.ID, Kind: v.Kind, Action: v.Action, Count: v.Count,
		Latency: time.Duration(v.LatencyMS) * time.Millisecond}
	if v.Latency != "" {
		d, err := time.ParseDuration(v.Latency)
		if err != nil {
			return fmt.Errorf("fault latency: %w", err)
		}
		f.Latency = d
	}
	return nil
}
