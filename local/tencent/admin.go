package tencent

import (
	"fmt"
	"net/http"
	"strings"

	"smsflow/local/faults"
)

const adminPrefix = "/_emulator/"

// serveAdmin is the JSON admin API:
//
//	GET    /_emulator/healthz              {"status":"ok"}
//	GET    /_emulator/messages?phone=+E164 [Message...] (every message without phone)
//	GET    /_emulator/faults               {"faults":[Fault...]}
//	POST   /_emulator/faults               Fault -> 201 Fault
//	DELETE /_emulator/faults               204
//	POST   /_emulator/reset                204, see Server.Reset
//	GET    /_emulator/receipts             {"pushes":[ReceiptPush...]}
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, adminPrefix), "/")
	switch route {
	case "GET healthz":
		faults.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case "GET messages":
		// A literal "+" in a query string decodes as a space: read it back.
		phone := r.URL.Query().Get("phone")
		if rest, ok := strings.CutPrefix(phone, " "); ok {
			phone = "+" + rest
		}
		faults.WriteJSON(w, http.StatusOK, s.Messages(phone))
	case "GET faults", "POST faults", "DELETE faults":
		s.faults.ServeAdmin(w, r)
	case "POST reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	case "GET receipts":
		faults.WriteJSON(w, http.StatusOK, map[string]any{"pushes": s.ReceiptPushes()})
	default:
		faults.WriteJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no admin route %s %s", r.Method, r.URL.Path)})
	}
}
