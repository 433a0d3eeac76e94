package alert

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"smsflow/shared/alert/notify"
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
	target := c.URL
	if c.URLEnv != "" {
		u, err := env(c.URLEnv)
		if err != nil {
			return nil, err
		}
		target = u
	}
	var secret string
	if c.SecretEnv != "" {
		s, err := env(c.SecretEnv)
		if err != nil {
			return nil, err
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
		return &notify.SMS{Sender: deps.SMS, SignName: c.SignName, TemplateCode: c.TemplateCode,
			Phones: splitList(phones), Params: c.Params}, nil
	}
	return nil, fmt.Errorf("unknown type %q", c.Type)
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
