package fcrt

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Errors Invoke returns when the emulator, not the function, could not run
// the invocation. A function's own failure is a Result with Error set.
var (
	ErrInstanceExited = errors.New("fcrt: instance process has exited")
	ErrInstanceClosed = errors.New("fcrt: instance is stopping")
)

// ErrorKind tells how an invocation failed.
type ErrorKind int

const (
	// KindFunctionError: the runtime posted to .../error (the handler
	// returned an error, or panicked: the SDK recovers and the process
	// keeps running).
	KindFunctionError ErrorKind = iota + 1
	// KindTimeout: no answer before the deadline.
	KindTimeout
	// KindCrash: the process exited with the invocation in flight.
	KindCrash
)

func (k ErrorKind) String() string {
	switch k {
	case KindFunctionError:
		return "function error"
	case KindTimeout:
		return "timeout"
	case KindCrash:
		return "crash"
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// FunctionError is the error body FC returns for a failed invocation: what
// the SDK posted to .../error, or what FC itself writes for a timeout or a
// crashed instance.
type FunctionError struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType,omitempty"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
	Kind       ErrorKind       `json:"-"`
}

func (e *FunctionError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("fc %s: %s", e.Kind, e.Message)
	}
	return fmt.Sprintf("fc %s: %s: %s", e.Kind, e.Type, e.Message)
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	// Payload is the response body the runtime posted (the handler's
	// result, JSON-encoded by the SDK). Empty when Error is set.
	Payload []byte
	// HTTPParams is the x-fc-http-params header the SDK sends with the
	// response of an FC 2.0 style HTTP handler (fc.StartHttp); empty otherwise.
	HTTPParams string
	Error      *FunctionError
	Duration   time.Duration // from admission to answer
}

// Failed reports whether the invocation failed in any way.
func (r Result) Failed() bool { return r.Error != nil }

// TimedOut reports whether the invocation ran past its deadline.
func (r Result) TimedOut() bool { return r.Error != nil && r.Error.Kind == KindTimeout }

// ErrorJSON is the body FC answers for a failed invocation.
func (r Result) ErrorJSON() []byte {
	if r.Error == nil {
		return nil
	}
	b, err := json.Marshal(r.Error)
	if err != nil { // only a malformed stack trace can get here
		b, _ = json.Marshal(FunctionError{Message: r.Error.Message, Type: r.Error.Type})
	}
	return b
}

func timeoutError(timeout time.Duration) *FunctionError {
	return &FunctionError{
		Kind:    KindTimeout,
		Message: fmt.Sprintf("Function timed out after %d seconds", headerSeconds(timeout)),
	}
}

func crashError(exit string) *FunctionError {
	return &FunctionError{
		Kind:    KindCrash,
		Type:    "ProcessExited",
		Message: "Process exited unexpectedly before completing request (" + exit + ")",
	}
}
