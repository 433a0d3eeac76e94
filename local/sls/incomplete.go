package sls

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// Incomplete wraps the emulator so that every GetLogs answers as SLS does
// when a query could not scan everything in time: `x-log-progress:
// Incomplete` and `"progress": "Incomplete"`. Tests use it to check that an
// incomplete result is never read as a complete one.
func Incomplete(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/logs") { // GetLogs: POST /logstores/{logstore}/logs
			next.ServeHTTP(w, r)
			return
		}
		r.Header.Del("Accept-Encoding") // a plain body to rewrite
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"Complete"`), []byte(`"Incomplete"`))
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if rec.Header().Get("x-log-progress") != "" {
			w.Header().Set("x-log-progress", "Incomplete")
		}
		// The body grew: its length is the new one (SLS-15).
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}
