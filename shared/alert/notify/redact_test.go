package notify

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A failing robot must not leak its token into the error, which is logged
// and stored in the state log.
func TestFailuresDoNotLeakRobotTokens(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	base := down.URL
	down.Close() // connection refused from now on
	const token = "tok3n-s3cret"
	client := &http.Client{Timeout: 2 * time.Second}
	channels := map[string]Channel{
		"dingtalk": &DingTalk{URL: base + "/robot/send?access_token=" + token, Secret: "SECx", Client: client},
		"wecom":    &WeCom{URL: base + "/cgi-bin/webhook/send?key=" + token, Client: client},
		"lark":     &Lark{URL: base + "/open-apis/bot/v2/hook/" + token, Client: client},
		"webhook":  &Webhook{URL: base + "/hook?sig=" + token, Client: client},
	}
	for name, ch := range channels {
		err := ch.Send(context.Background(), Message{Title: "t", Text: "x"})
		if err == nil {
			t.Fatalf("%s: sent to a closed port", name)
		}
		if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "connect") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A robot or webhook that may have the notice (a timeout after sending, a
// gateway's 502/504) is an unknown delivery, never retried; one that
// provably did not (refused connection, an answered 4xx/5xx) is a failure.
// (issue 10.9)
func TestHTTPChannelsTellUnknownFromFailed(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/504":
			w.WriteHeader(http.StatusGatewayTimeout)
		case "/502":
			w.WriteHeader(http.StatusBadGateway)
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer slow.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	cases := []struct {
		url     string
		unknown bool
	}{
		{slow.URL + "/slow", true},
		{slow.URL + "/504", true},
		{slow.URL + "/502", true},
		{slow.URL + "/500", false},
		{down.URL + "/x", false},
	}
	for _, c := range cases {
		for name, ch := range map[string]Channel{
			"webhook":  &Webhook{URL: c.url, Client: client},
			"dingtalk": &DingTalk{URL: c.url, Client: client},
			"wecom":    &WeCom{URL: c.url, Client: client},
			"lark":     &Lark{URL: c.url, Client: client},
		} {
			err := ch.Send(context.Background(), Message{Title: "t"})
			var u *UnknownError
			if err == nil || errors.As(err, &u) != c.unknown {
				t.Errorf("%s %s: err = %v, want unknown=%v", name, c.url, err, c.unknown)
			}
		}
	}
}

// A receiver that answers by echoing what it was sent, in a shape no
// pattern knows (a JSON "path", a bare host/path, the token alone, a robot
// errmsg), still never gets the channel's token into the error: the
// channel hides the exact credentials of its own URL.
func TestAnEchoedTokenStaysOutOfTheError(t *testing.T) {
	const token = "T0kenInThePath9f8e7d"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		said := `{"status":404,"path":"` + r.URL.Path + `","query":"` + r.URL.RawQuery + `","host":"` + r.Host + r.URL.Path + `"}`
		if r.URL.Query().Get("robot") != "" || strings.Contains(r.URL.Path, "/robot/") {
			// A robot refuses with 200 and its own words.
			said = `{"errcode":300001,"errmsg":"token ` + token + ` is not exist","code":1,"msg":"hook ` + token + ` unknown"}`
		} else {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write([]byte(strings.Repeat(" ", 500) + said)) // the token straddles the cut at 512
	}))
	defer echo.Close()
	channels := map[string]Channel{
		"webhook path":   &Webhook{URL: echo.URL + "/hooks/" + token},
		"webhook query":  &Webhook{URL: echo.URL + "/hooks?sig=" + token},
		"lark":           &Lark{URL: echo.URL + "/open-apis/bot/v2/hook/" + token},
		"dingtalk robot": &DingTalk{URL: echo.URL + "/robot/send?access_token=" + token},
		"wecom robot":    &WeCom{URL: echo.URL + "/robot/send?key=" + token},
	}
	for name, ch := range channels {
		err := ch.Send(context.Background(), Message{Title: "t", Text: "x"})
		if err == nil {
			t.Fatalf("%s: a refusal read as delivered", name)
		}
		for _, piece := range []string{token, token[:12], token[8:]} {
			if strings.Contains(err.Error(), piece) {
				t.Errorf("%s: the error carries %q: %v", name, piece, err)
			}
		}
	}
}
