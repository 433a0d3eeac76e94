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

// Credential-named parameters are found whatever prefixes their name, and
// in JSON as in a query string.
func TestPrefixedAndJSONCredentialsAreRedacted(t *testing.T) {
	const secret = "s3cr3tValue42"
	for _, s := range []string{
		"HTTP 401: invalid api_key=" + secret,
		"HTTP 400: client_secret=" + secret + " rejected",
		"HTTP 403: app_token=" + secret,
		"x-acs-security-token=" + secret,
		`HTTP 400: {"access_token":"` + secret + `"}`,
		`{"app_secret" : "` + secret + `\"more"}`,
	} {
		if got := Error(errors.New(s)).Error(); strings.Contains(got, secret) || !strings.Contains(got, "REDACTED") {
			t.Errorf("Error(%q) = %q", s, got)
		}
	}
	if got := Text(`{"status":"ok","count":"3"}`); got != `{"status":"ok","count":"3"}` {
		t.Errorf("a field with no credential name was changed: %q", got)
	}
}

// The credentials of a known URL are hidden in any shape: bare, in a JSON
// path, host and path without a scheme. Words of the path stay.
func TestKnownHidesAURLsCredentialsInAnyShape(t *testing.T) {
	const token = "7a3c2d9e-1b4f-4c8a-9d2e-5f6a7b8c9d0e"
	secrets := URLSecrets("https://user:pw12345678@open.feishu.cn/open-apis/bot/v2/hook/" + token + "?sign=abcd1234ef&x=1")
	in := `no route for open.feishu.cn/open-apis/bot/v2/hook/` + token + ` {"path":"/hook/` + token + `","sign":"abcd1234ef","pw":"pw12345678"}`
	got := Known(in, secrets)
	for _, s := range []string{token, "abcd1234ef", "pw12345678"} {
		if strings.Contains(got, s) {
			t.Errorf("Known left %q in %q", s, got)
		}
	}
	if !strings.Contains(got, "open-apis/bot/v2/hook/") {
		t.Errorf("Known hid the path's words too: %q", got)
	}
}
