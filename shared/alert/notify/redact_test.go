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
