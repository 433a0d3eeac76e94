package dysms

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"smsflow/local/faults"
)

const adminPrefix = "/_emulator/"

// serveAdmin is the JSON admin API for tests and humans:
//
//	GET    /_emulator/healthz    {"status":"ok"}
//	GET    /_emulator/messages   {"messages":[Message...]} (?phone= filters)
//	GET    /_emulator/stats      Stats
//	GET    /_emulator/faults     {"faults":[Fault...]}
//	POST   /_emulator/faults     Fault -> 201 Fault (with its id)
//	DELETE /_emulator/faults     204, every fault disarmed
//	POST   /_emulator/clock      {"advance":"1h"} -> {"offset":"1h0m0s"}, see AdvanceClock
//	POST   /_emulator/reset      204, see Server.Reset
//	GET    /_emulator/registry   Registry
//	GET    /_emulator/receipts   {"pushes":[ReceiptPush...]}: receipt pushes and re-pushes
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, adminPrefix), "/")
	switch route {
	case "GET healthz":
		adminJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "GET messages":
		adminJSON(w, http.StatusOK, map[string]any{"messages": s.messagesFor(r.URL.Query().Get("phone"))})
	case "GET stats":
		adminJSON(w, http.StatusOK, s.Stats())
	case "GET faults", "POST faults", "DELETE faults":
		s.faults.ServeAdmin(w, r)
	case "POST clock":
		s.adminAdvanceClock(w, r)
	case "POST reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "GET registry":
		adminJSON(w, http.StatusOK, s.Registry())
	case "GET receipts":
		adminJSON(w, http.StatusOK, map[string]any{"pushes": s.ReceiptPushes()})
	default:
		adminJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no admin route %s %s", r.Method, r.URL.Path)})
	}
}

func (s *Server) adminAdvanceClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		adminJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		adminJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("advance %q: want a positive Go duration", req.Advance)})
		return
	}
	adminJSON(w, http.StatusOK, map[string]string{"offset": s.AdvanceClock(d).String()})
}

func (s *Server) messagesFor(phone string) []Message {
	all := s.Messages()
	if phone == "" {
		return all
	}
	want, ok := normalisePhone(phone)
	out := []Message{}
	for _, m := range all {
		if ok && m.Phone == want {
			out = append(out, m)
		}
	}
	return out
}

func adminJSON(w http.ResponseWriter, status int, v any) { faults.WriteJSON(w, status, v) }
