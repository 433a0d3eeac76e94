package receipts

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/trace"
)

// A second provider is one more Provider: its own path, parser, answer
// and receipt_source, beside Alibaba's on the longest matching prefix.
func TestASecondProviderHasItsOwnPathParserAndAnswer(t *testing.T) {
	f := newFixture(t)
	other := Provider{Name: "Other", Source: "other_push", PathPrefix: PushPathPrefix + "other/",
		Parse: func(body []byte) ([]Report, error) {
			return ParsePush([]byte(strings.TrimPrefix(string(body), "wrapped:")))
		},
		Answer: func(w http.ResponseWriter, status int, msg string) {
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"result": status, "errmsg": msg})
		}}
	f.recv.providers = []Provider{Alibaba, other}
	receipt := receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:04")

	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, PushPathPrefix+"other/"+testToken, strings.NewReader("wrapped:["+receipt+"]")))
	var a struct{ Result int }
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &a) != nil || a.Result != http.StatusOK {
		t.Fatalf("other provider's push: %d %s", w.Code, w.Body)
	}
	events := f.out.events(t, "sms.receipt")
	if len(events) != 1 || events[0]["receipt_source"] != "other_push" {
		t.Errorf("events %v, want one receipt from other_push", events)
	}
	if code, ans := f.push(t, PushPathPrefix+testToken, "["+receipt+"]"); code != http.StatusOK || ans.Code != 0 {
		t.Errorf("Alibaba's push beside it: %d %+v", code, ans)
	}
}
