package alert

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"smsflow/shared/alert/notify"
	"smsflow/shared/config"
)

// ChannelDeps are what channels need from the function that runs them.
type ChannelDeps struct {
	Getenv func(string) string // os.Getenv in production
	HTTP   *http.Client        // with a timeout; http.DefaultClient when nil
	SMS    notify.SMSSender    // required only if an sms channel is enabled
}

// BuildChannels makes every enabled channel of the file, reading secrets
// from the environment variables it names. A missing variable is an error
// naming the channel and the variable: the function must not half-run.
func BuildChannels(cfg *Config, deps ChannelDeps) (map[string]notify.Channel, error) {
	out := map[string]notify.Channel{}
	var errs []error
	for _, c := range cfg.Channels {
		if !c.IsEnabled() {
			continue
		}
		ch, err := buildChannel(c, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("channel %q: %w", c.Name, err))
			continue
		}
		out[c.Name] = ch
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

func buildChannel(c Channel, deps ChannelDeps) (notify.Channel, error) {
	env := func(name string) (string, error) {
		v := deps.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", name)
		}
		return v, nil
	}
	target, urlFrom := c.URL, "field url"
	if c.URLEnv != "" {
		u, err := env(c.URLEnv)
		if err != nil {
			return nil, err
		}
		target, urlFrom = u, "environment variable "+c.URLEnv
	}
	if c.Type != ChannelSMS {
		if err := checkTarget(target); err != nil {
			return nil, fmt.Errorf("%s: %w", urlFrom, err)
		}
	}
	var secret string
	if c.SecretEnv != "" {
		s, err := env(c.SecretEnv)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(s) != s {
			// A pasted secret's newline would sign every message wrongly:
			// each one refused, and the alert never heard.
			return nil, fmt.Errorf("environment variable %s has leading or trailing whitespace", c.SecretEnv)
		}
		secret = s
	}
	switch c.Type {
	case ChannelDingTalk:
		return &notify.DingTalk{URL: target, Secret: secret, Client: deps.HTTP}, nil
	case ChannelWeCom:
		return &notify.WeCom{URL: target, Client: deps.HTTP}, nil
	case ChannelLark:
		return &notify.Lark{URL: target, Secret: secret, Client: deps.HTTP}, nil
	case ChannelWebhook:
		return &notify.Webhook{URL: target, Secret: secret, Client: deps.HTTP}, nil
	case ChannelSMS:
		if deps.SMS == nil {
			return nil, errors.New("an sms channel is enabled but no SMS sender was given")
		}
		phones, err := env(c.PhonesEnv)
		if err != nil {
			return nil, err
		}
		list := splitList(phones)
		if len(list) == 0 {
			// " , " is not empty, yet every page would fail.
			return nil, fmt.Errorf("environment variable %s names no number", c.PhonesEnv)
		}
		return &notify.SMS{Sender: deps.SMS, SignName: c.SignName, TemplateCode: c.TemplateCode,
			Phones: list, Params: c.Params}, nil
	}
	return nil, fmt.Errorf("unknown type %q", c.Type)
}

// checkTarget refuses, at start, a channel URL no send could use: a
// pasted one with whitespace or a control character, one that does not
// parse, or one that is not http(s) with a host. Otherwise each run would
// fail to send and the alerts would go unheard. The error never quotes the
// URL: a robot's URL holds its token.
func checkTarget(raw string) error {
	if strings.TrimSpace(raw) != raw {
		return errors.New("the URL has leading or trailing whitespace")
	}
	if strings.ContainsFunc(raw, unicode.IsControl) || strings.ContainsRune(raw, ' ') {
		return errors.New("the URL holds a space or a control character")
	}
	u, err := url.Parse(raw)
	if err == nil {
		// url.Parse leaves the query unchecked; reading it (as the
		// DingTalk channel does to add its signature) drops a bad pair.
		_, err = url.ParseQuery(u.RawQuery)
	}
	switch {
	case err != nil:
		return errors.New("the URL does not parse (check its %-escapes)")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("the URL must start with https:// (or http://)")
	case u.Hostname() == "":
		// u.Host of https://:443/... is ":443": the name is what a
		// send dials.
		return errors.New("the URL has no host")
	case u.Port() != "" && !config.ValidPort(u.Port()):
		return errors.New("the URL's port must be 1 to 65535")
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
