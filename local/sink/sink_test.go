package sink

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"smsflow/shared/alert/notify"
)

func newServer(t *testing.T, cfg Config) (*Sink, *httptest.Server) {
	s := New(cfg)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

var msg = notify.Message{ID: "c1/x", Status: "firing", Rule: "sms_failure_rate",
	Title: "[FIRING critical] sms_failure_rate", Text: "Value: 20% > threshold 5%", Markdown: "### [FIRING critical]"}

func TestSinkAcceptsEveryChannelWithValidSignatures(t *testing.T) {
	s, srv := newServer(t, Config{WebhookSecret: "w", DingTalkSecret: "SECd", LarkSecret: "l"})
	channels := map[string]notify.Channel{
		"webhook":  &notify.Webhook{URL: srv.URL + "/webhook", Secret: "w"},
		"dingtalk": &notify.DingTalk{URL: srv.URL + "/dingtalk/robot/send?access_token=local", Secret: "SECd"},
		"wecom":    &notify.WeCom{URL: srv.URL + "/wecom/cgi-bin/webhook/send?key=local"},
		"lark":     &notify.Lark{URL: srv.URL + "/lark/open-apis/bot/v2/hook/local", Secret: "l"},
	}
	for name, ch := range channels {
		if err := ch.Send(context.Background(), msg); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	_ = channels["lark"].Send(context.Background(), msg)
	want := map[string]int{"webhook": 1, "dingtalk": 1, "wecom": 1, "lark": 2}
	for ch, n := range want {
		if s.Counts()[ch] != n {
			t.Errorf("counts = %v, want %v", s.Counts(), want)
			break
		}
	}
	for _, n := range s.Notifications() {
		if n.Channel != "wecom" && !n.Signed {
			t.Errorf("%s not marked verified", n.Channel)
		}
		if n.Text == "" {
			t.Errorf("%s kept no text", n.Channel)
		}
	}
}

func TestSinkRefusesBadSignaturesLikeTheRealService(t *testing.T) {
	s, srv := newServer(t, Config{WebhookSecret: "w", DingTalkSecret: "SECd", LarkSecret: "l"})
	channels := map[string]notify.Channel{
		"webhook":  &notify.Webhook{URL: srv.URL + "/webhook", Secret: "wrong"},
		"dingtalk": &notify.DingTalk{URL: srv.URL + "/dingtalk/robot/send?access_token=local", Secret: "wrong"},
		"lark":     &notify.Lark{URL: srv.URL + "/lark/open-apis/bot/v2/hook/local"}, // unsigned, sink expects a sign
	}
	for name, ch := range channels {
		if err := ch.Send(context.Background(), msg); err == nil {
			t.Errorf("%s: bad signature accepted", name)
		}
	}
	if len(s.Counts()) != 0 || len(s.Notifications()) != 3 {
		t.Errorf("counts %v, kept %d", s.Counts(), len(s.Notifications()))
	}
}

func TestSinkJSONAndPage(t *testing.T) {
	_, srv := newServer(t, Config{})
	if err := (&notify.Webhook{URL: srv.URL + "/webhook"}).Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/notifications?channel=webhook")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Notifications []Notification
		Counts        map[string]int
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got.Notifications) != 1 || got.Counts["webhook"] != 1 ||
		got.Notifications[0].Rule != "sms_failure_rate" || got.Notifications[0].ID != "c1/x" {
		t.Fatalf("json: %+v %v", got, err)
	}
	resp, err = http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "[FIRING critical] sms_failure_rate") || !strings.Contains(string(page), "webhook: 1") {
		t.Errorf("page:\n%s", page)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/notifications", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("clear: %v", err)
	}
}
