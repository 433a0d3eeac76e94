package dysms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// FaultKind names one way the emulated service can misbehave.
type FaultKind string

const (
	// FaultLatency accepts the message, then waits Latency before answering:
	// the ambiguous case when the client times out first.
	FaultLatency FaultKind = "latency"
	// FaultHTTP500 and FaultHTTP503 are gateway errors (InternalError,
	// ServiceUnavailable); nothing is sent.
	FaultHTTP500 FaultKind = "http500"
	FaultHTTP503 FaultKind = "http503"
	// FaultSystemError answers HTTP 200 with Code isp.SYSTEM_ERROR.
	FaultSystemError FaultKind = "system_error"
	// FaultThrottlingAPI and FaultThrottlingUser are Alibaba's gateway
	// throttles (HTTP 400, Throttling.Api / Throttling.User).
	FaultThrottlingAPI  FaultKind = "throttling_api"
	FaultThrottlingUser FaultKind = "throttling_user"
	// FaultBusinessLimit answers HTTP 200 isv.BUSINESS_LIMIT_CONTROL
	// (minute window message) whatever the counters say.
	FaultBusinessLimit FaultKind = "business_limit"
	// FaultResetBeforeRead resets the TCP connection before the request is
	// processed: nothing was sent.
	FaultResetBeforeRead FaultKind = "reset_before_read"
	// FaultResetAfterAccept accepts the message, then resets the connection
	// instead of answering: it WAS sent.
	FaultResetAfterAccept FaultKind = "reset_after_accept"
)

// FaultKinds lists every kind, for validation and documentation.
var FaultKinds = []FaultKind{
	FaultLatency, FaultHTTP500, FaultHTTP503, FaultSystemError, FaultThrottlingAPI,
	FaultThrottlingUser, FaultBusinessLimit, FaultResetBeforeRead, FaultResetAfterAccept,
}

// Fault is one injected misbehaviour.
type Fault struct {
	ID   int       `json:"id"`
	Kind FaultKind `json:"kind"`
	// Action limits the fault to one API action ("SendSms", ...). Empty
	// means the two send actions (SendSms, SendBatchSms); "*" means every
	// action, QuerySendDetails included.
	Action string `json:"action,omitempty"`
	// Count is how many more requests the fault hits; 0 means until cleared.
	Count int `json:"count"`
	// Latency delays the answer. It is the whole point of FaultLatency and
	// may be added to any other kind (the error then comes late).
	Latency time.Duration `json:"-"`
}

// faultJSON is Fault on the admin API: latency as a Go duration string
// ("1.5s") or as latency_ms.
type faultJSON struct {
	ID        int       `json:"id"`
	Kind      FaultKind `json:"kind"`
	Action    string    `json:"action,omitempty"`
	Count     int       `json:"count"`
	Latency   string    `json:"latency,omitempty"`
	LatencyMS int64     `json:"latency_ms,omitempty"`
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

// UnmarshalJSON reads the admin API form.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var v faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("dysms: fault: %w", err)
	}
	*f = Fault{ID: v.ID, Kind: v.Kind, Action: v.Action, Count: v.Count,
		Latency: time.Duration(v.LatencyMS) * time.Millisecond}
	if v.Latency != "" {
		d, err := time.ParseDuration(v.Latency)
		if err != nil {
			return fmt.Errorf("dysms: fault latency: %w", err)
		}
		f.Latency = d
	}
	return nil
}

func (f Fault) validate() error {
	known := false
	for _, k := range FaultKinds {
		known = known || k == f.Kind
	}
	switch {
	case !known:
		return fmt.Errorf("dysms: unknown fault kind %q (known: %v)", f.Kind, FaultKinds)
	case f.Count < 0:
		return fmt.Errorf("dysms: fault count %d is negative", f.Count)
	case f.Latency < 0:
		return fmt.Errorf("dysms: fault latency %s is negative", f.Latency)
	case f.Kind == FaultLatency && f.Latency == 0:
		return fmt.Errorf("dysms: a latency fault needs a latency")
	case f.Action != "" && f.Action != "*" && !knownAction(f.Action):
		return fmt.Errorf("dysms: unknown action %q", f.Action)
	}
	return nil
}

func (f Fault) appliesTo(action string) bool {
	switch f.Action {
	case "":
		return action == actionSendSms || action == actionSendBatchSms
	case "*":
		return true
	default:
		return f.Action == action
	}
}

// Kinds grouped by when they act in a request.
var (
	kindsBeforeRead = []FaultKind{FaultResetBeforeRead}
	kindsAfterAuth  = []FaultKind{FaultHTTP500, FaultHTTP503, FaultSystemError,
		FaultThrottlingAPI, FaultThrottlingUser, FaultBusinessLimit}
)

// faultList is the Server's injected faults, oldest first. The Server's lock
// guards it.
type faultList struct {
	nextID int
	faults []Fault
}

func (l *faultList) add(f Fault) Fault {
	l.nextID++
	f.ID = l.nextID
	l.faults = append(l.faults, f)
	return f
}

// take consumes the oldest fault of one of kinds that applies to action.
func (l *faultList) take(action string, kinds ...FaultKind) (Fault, bool) {
	for i, f := range l.faults {
		if !f.appliesTo(action) || !slices.Contains(kinds, f.Kind) {
			continue
		}
		if f.Count > 0 {
			l.faults[i].Count--
			if l.faults[i].Count == 0 {
				l.faults = append(l.faults[:i:i], l.faults[i+1:]...)
			}
		}
		return f, true
	}
	return Fault{}, false
}
