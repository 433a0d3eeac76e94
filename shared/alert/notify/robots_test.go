package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// robot is an httptest robot that keeps the last request and answers
// with the given body.
type robot struct {
	srv    *httptest.Server
	query  string
	body   map[string]any
	header http.Header
}

func newRobot(t *testing.T, answer string) *robot {
	r := &robot{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.query, r.header = req.URL.RawQuery, req.Header.Clone()
		b, _ := io.ReadAll(req.Body)
		r.body = nil
		_ = json.Unmarshal(b, &r.body)
		io.WriteString(w, answer)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

var sample = Message{ID: "c1/x", Status: "firing", Title: "[FIRING critical] r", Text: "plain", Markdown: "### md"}

func fixedNow() time.Time { return time.UnixMilli(1700000000000) }

func TestDingTalkRequest(t *testing.T) {
	r := newRobot(t, `{"errcode":0,"errmsg":"ok"}`)
	d := &DingTalk{URL: r.srv.URL + "/robot/send?access_token=tok", Secret: "secret", Now: fixedNow}
	if err := d.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.query, "access_token=tok") || !strings.Contains(r.query, "timestamp=1700000000000") ||
		!strings.Contains(r.query, "sign=OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D") {
		t.Errorf("query = %s", r.query)
	}
	md := r.body["markdown"].(map[string]any)
	if r.body["msgtype"] != "markdown" || md["title"] != sample.Title || md["text"] != "### md" {
		t.Errorf("body = %v", r.body)
	}
}

func TestWeComRequest(t *testing.T) {
	r := newRobot(t, `{"errcode":0,"errmsg":"ok"}`)
	if err := (&WeCom{URL: r.srv.URL + "/cgi-bin/webhook/send?key=k"}).Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	md := r.body["markdown"].(map[string]any)
	if r.query != "key=k" || r.body["msgtype"] != "markdown" || md["content"] != "### md" {
		t.Errorf("query %s body %v", r.query, r.body)
	}
}

func TestLarkRequest(t *testing.T) {
	r := newRobot(t, `{"code":0,"msg":"success","data":{}}`)
	l := &Lark{URL: r.srv.URL, Secret: "secret", Now: fixedNow}
	if err := l.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	content := r.body["content"].(map[string]any)
	if r.body["msg_type"] != "text" || r.body["timestamp"] != "1700000000" ||
		r.body["sign"] != "fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA=" || content["text"] != sample.Title+"\nplain" {
		t.Errorf("body = %v", r.body)
	}
}

func TestRobotRefusalsAreErrors(t *testing.T) {
	cases := map[string]Channel{
		`{"errcode":310000,"errmsg":"sign not match"}`:                                                 &DingTalk{Secret: "s"},
		`{"errcode":93000,"errmsg":"invalid webhook url"}`:                                             &WeCom{},
		`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`: &Lark{},
		`<html>gateway</html>`: &WeCom{},
	}
	for answer, ch := range cases {
		r := newRobot(t, answer)
		switch c := ch.(type) {
		case *DingTalk:
			c.URL = r.srv.URL
		case *WeCom:
			c.URL = r.srv.URL
		case *Lark:
			c.URL = r.srv.URL
		}
		if err := ch.Send(context.Background(), sample); err == nil {
			t.Errorf("answer %s accepted", answer)
		}
	}
}

func TestWebhookRequestIsSignedAndVerifiable(t *testing.T) {
	var got []byte
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		header = r.Header.Clone()
	}))
	defer srv.Close()
	if err := (&Webhook{URL: srv.URL, Secret: "s3cret", Now: fixedNow}).Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	if err := VerifyWebhook("s3cret", header.Get(HeaderTimestamp), header.Get(HeaderSignature), got, fixedNow(), time.Minute); err != nil {
		t.Errorf("receiver cannot verify: %v", err)
	}
	var m Message
	if err := json.Unmarshal(got, &m); err != nil || m.ID != "c1/x" || m.Title != sample.Title {
		t.Errorf("body %s: %v", got, err)
	}
}

func TestWebhookHTTPErrorIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusBadGateway)
	}))
	defer srv.Close()
	err := (&Webhook{URL: srv.URL}).Send(context.Background(), sample)
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("err = %v", err)
	}
}
