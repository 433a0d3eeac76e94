package dysms

import (
	"encoding/json"
	"net/http"
)

// writeJSON answers the way Alibaba's gateway does: JSON with a charset and
// the request id echoed in a header too.
func writeJSON(w http.ResponseWriter, status int, requestID string, body any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("x-acs-request-id", requestID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
