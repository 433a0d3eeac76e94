package sms

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"smsflow/local/sts"
)

// Whatever Alibaba's message quotes back of the request (a parameter value,
// a number in another form) is hidden whole before it reaches the caller or
// a log, whatever the value's length or shape: a long numeric value must
// not come out half masked (739*****). (issue 10.6)
func TestUpstreamMessageEchoingTheRequestIsScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		msg, _ := json.Marshal("bad TemplateParam " + q.Get("TemplateParam") + " for +86" + q.Get("PhoneNumbers") +
			" raw " + r.URL.RawQuery)
		w.Write([]byte(`{"RequestId":"R1","Code":"isv.INVALID_PARAMETERS","Message":` + string(msg) + `}`))
	}))
	defer srv.Close()
	s := newSender(strings.TrimPrefix(srv.URL, "http://"))
	for _, v := range []string{"4821", "7", "OK", "73918245", "739182456789", "a1B2c3D4e5F6g7H8", `.*+?()[]{}|^$\`, `a"b&c`} {
		req := otpRequest(t, "13800138000")
		req.TemplateParams = map[string]string{"code": v, "name": "x" + v}
		out, _ := s.Send(stsContext(sts.Issue(time.Hour)), req, nil)
		if out.Status != StatusRejected || !strings.Contains(out.Message, "bad TemplateParam") {
			t.Fatalf("outcome %+v", out)
		}
		text := out.Message + " " + out.Detail
		for _, secret := range []string{v, "13800138000", "0013"} {
			if strings.Contains(text, secret) {
				t.Errorf("value %q: outcome holds %q: %s", v, secret, text)
			}
		}
		if len(v) > 4 && strings.Contains(text, v[:3]+"*") {
			t.Errorf("value %q half visible: %s", v, text)
		}
	}
}
