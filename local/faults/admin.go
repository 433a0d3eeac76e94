package faults

import (
	"encoding/json"
	"net/http"
)

// ServeAdmin serves an emulator's fault route of the admin API:
//
//	GET    {"faults":[Fault...]}
//	POST   Fault -> 201 Fault (with its id), 400 {"error"} when refused
//	DELETE 204, every fault disarmed
func (l *List) ServeAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		WriteJSON(w, http.StatusOK, map[string]any{"faults": l.All()})
	case http.MethodPost:
		var f Fault
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&f); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		f, err := l.Add(f)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusCreated, f)
	case http.MethodDelete:
		l.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

// WriteJSON answers v as JSON with status: the admin APIs' one way to answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
