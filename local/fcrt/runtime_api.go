package fcrt

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

const runtimeBase = "/2020-11-11/runtime/invocation/"

// maxRuntimePost bounds what the runtime may post back (FC's synchronous
// response limit is far below this).
const maxRuntimePost = 64 << 20

// runtimeAPI serves the runtime API the go1 SDK talks to.
func (i *Instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeBase+"next", i.serveNext)
	mux.HandleFunc("POST "+runtimeBase+"{id}/response", i.serveResponse)
	mux.HandleFunc("POST "+runtimeBase+"{id}/error", i.serveError)
	return mux
}

// serveNext long-polls until an invocation is queued. The SDK polls again
// as soon as it has one, so several polls wait here at once when the
// instance runs invocations concurrently.
func (i *Instance) serveNext(w http.ResponseWriter, r *http.Request) {
	i.pollOnce.Do(func() {
		i.mu.Lock()
		i.polled = time.Now()
		i.mu.Unlock()
		close(i.firstPoll)
	})
	for {
		var inv *invocation
		select {
		case inv = <-i.queue:
		case <-r.Context().Done():
			return
		case <-i.exited:
			return
		}
		if _, open := i.lookup(inv.id); !open {
			continue // expired while queued: the caller has its answer already
		}
		for k, v := range inv.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
		return
	}
}

func (i *Instance) serveResponse(w http.ResponseWriter, r *http.Request) {
	inv, body, ok := i.readAnswer(w, r)
	if !ok {
		return
	}
	i.finish(inv, Result{Payload: body, HTTPParams: r.Header.Get(hdrHTTPParams)})
	writeAccepted(w)
}

func (i *Instance) serveError(w http.ResponseWriter, r *http.Request) {
	inv, body, ok := i.readAnswer(w, r)
	if !ok {
		return
	}
	fe := &FunctionError{}
	if err := json.Unmarshal(body, fe); err != nil || fe.Message == "" && fe.Type == "" {
		fe = &FunctionError{Type: "Runtime.InvalidErrorPayload", Message: "the runtime posted an error that is not FC error JSON"}
	}
	fe.Kind = KindFunctionError
	// The message may quote user data (phone numbers): log the type only.
	i.fn.Logger.Info("fc invocation failed", "function", i.fn.Name, "instance", i.id,
		"request_id", inv.id, "type", inv.kind.String(), "error_type", fe.Type)
	i.finish(inv, Result{Error: fe})
	writeAccepted(w)
}

// readAnswer reads a runtime's answer for an unanswered invocation.
func (i *Instance) readAnswer(w http.ResponseWriter, r *http.Request) (*invocation, []byte, bool) {
	id := r.PathValue("id")
	inv, ok := i.lookup(id)
	if !ok {
		// Unknown, already answered, or expired: FC refuses a late answer.
		i.fn.Logger.Warn("fc runtime answered an invocation that is not in flight",
			"function", i.fn.Name, "instance", i.id, "request_id", id)
		writeRuntimeError(w, http.StatusNotFound, "InvocationNotFound", "request "+id+" is not in flight")
		return nil, nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRuntimePost))
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "read body: "+err.Error())
		return nil, nil, false
	}
	return inv, body, true
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func writeRuntimeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"errorCode": code, "errorMessage": msg})
	_, _ = w.Write(b)
}
