package dysms

import (
	"net/http"
	"net/url"
	"time"
)

// call is one API request on its way through the emulator.
type call struct {
	requestID   string
	action      string
	params      url.Values // query and form body together
	accessKeyID string
	wallNow     time.Time // judges timestamps, nonces and STS expiry
	now         time.Time // business time: wallNow + AdvanceClock offset
}

// answer is what the emulator decided; exactly one of gw, refusal, body,
// except for an accepted message whose gateway answers an error instead
// (body and gw: written as gw, counted as accepted).
type answer struct {
	gw      *gatewayError
	refusal *refusal
	body    map[string]any // Code OK
	latency time.Duration  // wait before answering
	reset   bool           // reset the connection instead of answering
	phones  []string       // for the log line only (masked there)
}

func (a *answer) ok() bool { return a.body != nil }

func (a *answer) code() string {
	switch {
	case a.reset:
		return "reset"
	case a.gw != nil:
		return a.gw.Code
	case a.refusal != nil:
		return a.refusal.Code
	default:
		return codeOK
	}
}

func (a *answer) status() int {
	if a.gw != nil {
		return a.gw.Status
	}
	return http.StatusOK
}
