package notify

import (
	"errors"
	"fmt"
	"net/url"
)

// redactURLError keeps a robot's credential out of an error: the Go HTTP
// client quotes the full URL, and robot URLs carry their token in the
// query (DingTalk access_token, WeCom key) or the path (Lark hook id).
// Errors end up in alert.notification events and the state log.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
}

// redactURL keeps the scheme and host only.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(url withheld)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
