package sms

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsflow/local/sts"
)

// Whatever Alibaba's message quotes back of the request (a parameter value,
// a number in another form) is hidden before it reaches the caller or a log.
func TestUpstreamMessageEchoingTheRequestIsScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		w.Write([]byte(`{"RequestId":"R1","Code":"isv.INVALID_PARAMETERS","Message":"bad TemplateParam ` +
			strings.ReplaceAll(q.Get("TemplateParam"), `"`, `\"`) + ` for +86` + q.Get("PhoneNumbers") + `"}`))
	}))
	defer srv.Close()
	out, _ := newSender(strings.TrimPrefix(srv.URL, "http://")).Send(stsContext(sts.Issue(time.Hour)), otpRequest(t, "13800138000"), nil)
	if out.Status != StatusRejected || !strings.Contains(out.Message, "bad TemplateParam") {
		t.Fatalf("outcome %+v", out)
	}
	for _, secret := range []string{"4821", "13800138000"} {
		if strings.Contains(out.Message, secret) || strings.Contains(out.Detail, secret) {
			t.Errorf("outcome holds %q: %+v", secret, out)
		}
	}
}
