package redact

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const secret = "S3cr3tT0k3n"

// Every shape a credential takes in a URL, each made unparseable too (a
// control character, a bad escape, a space in the host): none survives.
func TestURLKeepsSchemeAndHostOnly(t *testing.T) {
	raws := []string{
		"https://oapi.dingtalk.com/robot/send?access_token=" + secret,
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + secret,
		"https://open.feishu.cn/open-apis/bot/v2/hook/" + secret,
		"https://user:" + secret + "@hooks.example.com/x",
		"https://fc.example.com/receipts/push/" + secret,
		"https://hooks.example.com/x?sign=" + secret + "&timestamp=1",
		"https://hooks.example.com/x#" + secret,
		"https://oapi.dingtalk.com/robot/send?access_token=" + secret + "\x7f",
		"https://oapi.dingtalk.com/robot/send?access_token=" + secret + "%zz",
		"https://hooks exa mple.com/" + secret,
		" https://open.feishu.cn/open-apis/bot/v2/hook/" + secret,
		"open.feishu.cn/open-apis/bot/v2/hook/" + secret,
		"",
	}
	for _, raw := range raws {
		got := URL(raw)
		if strings.Contains(got, secret) {
			t.Errorf("URL(%q) = %q", raw, got)
		}
	}
	if got := URL("https://user:pw@oapi.dingtalk.com:8443/robot/send?access_token=x"); got != "https://oapi.dingtalk.com:8443/…" {
		t.Errorf("got %q, want the scheme and host", got)
	}
}

func TestErrorRedactsEveryURLInTheChain(t *testing.T) {
	_, parseErr := url.Parse("https://oapi.dingtalk.com/robot/send?access_token=" + secret + "\x7f")
	_, reqErr := http.NewRequest(http.MethodPost, "https://open.feishu.cn/open-apis/bot/v2/hook/"+secret+"\n", nil)
	doErr := &url.Error{Op: "Post", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + secret, Err: context.DeadlineExceeded}
	cases := []error{
		parseErr,
		reqErr,
		fmt.Errorf("dingtalk url: %w", parseErr),
		fmt.Errorf("channel %q: %w", "robot", fmt.Errorf("post: %w", doErr)),
		errors.Join(errors.New("first"), fmt.Errorf("wecom: %w", doErr)),
		errors.New("answer echoed https://hooks.example.com/x?token=" + secret + " back"),
		errors.New("robot said: access_token=" + secret + " is invalid"),
	}
	for _, err := range cases {
		got := Error(err)
		if strings.Contains(got.Error(), secret) {
			t.Errorf("Error(%q) = %q", err, got)
		}
		var ue *url.Error
		if errors.As(got, &ue) {
			t.Errorf("Error(%q) still unwraps to the *url.Error", err)
		}
	}
	if got := Error(fmt.Errorf("post: %w", doErr)); !errors.Is(got, context.DeadlineExceeded) ||
		!strings.Contains(got.Error(), "https://qyapi.weixin.qq.com/…") {
		t.Errorf("redacted error lost its cause or its host: %v", got)
	}
	plain := errors.New("HTTP 503: down")
	if Error(plain) != plain || Error(nil) != nil {
		t.Error("an error without a URL must pass unchanged")
	}
}
