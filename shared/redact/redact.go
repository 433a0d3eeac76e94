// Package redact keeps credentials that travel in URLs out of errors and
// log text. Robot and webhook URLs carry their secret in the query
// (DingTalk access_token, WeCom key), the path (Lark hook id, the receipts
// push token) or the userinfo; Go's HTTP client and url.Parse quote the
// whole URL in their errors, and errors end up in SLS. Every error path
// that may hold such a URL passes through Error (or Text) here, once.
package redact

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Withheld stands for a URL that cannot be parsed well enough to show
// even its host safely.
const Withheld = "(url withheld)"

// URL keeps the scheme and host of raw only: path, query, fragment and
// userinfo may all hold a credential, and the host is what an operator
// needs to tell which endpoint failed.
func URL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Scheme == "" || strings.ContainsAny(u.Host, "@ ") {
		return Withheld
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// urlInText finds URLs inside free text. It stops at the characters that
// end a URL in prose and in quoted Go errors. Compiled on first use, not
// at start: only error paths redact, and start-up is measured (issue 10).
var urlInText = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]*://[^\s"'<>\x60]+`)
})

// secretParam finds credential-named parameters outside a URL (an echoed
// query string, a form body): name=value, the value up to a separator. A
// name counts when it ends in a credential word, whatever comes before
// (api_key, client_secret, app_token, x-acs-security-token).
var secretParam = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)((?:^|[^a-z0-9])[a-z0-9_\-]*(?:token|key|sign|signature|secret|password|passwd|accesskeysecret)=)[^&\s"'<>]+`)
})

// secretField is the JSON form of the same: "name":"value".
var secretField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)("[a-z0-9_\-]*(?:token|key|sign|signature|secret|password|passwd|accesskeysecret)"\s*:\s*")(?:[^"\\]|\\.)*"`)
})

// Text redacts every URL and every credential-named parameter in s.
func Text(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "=") && !strings.Contains(s, `"`) {
		return s
	}
	s = urlInText().ReplaceAllStringFunc(s, URL)
	s = secretParam().ReplaceAllString(s, "${1}REDACTED")
	return secretField().ReplaceAllString(s, `${1}REDACTED"`)
}

// URLSecrets are the parts of a secret-bearing URL that a receiver could
// echo back in some other shape (a JSON "path", a bare host/path, a
// decoded query): its userinfo, every query value, and every path segment
// long enough to be a credential (8 characters with a digit in them, or
// 20 of any kind). Words such as "open-apis" or "robot" stay readable.
func URLSecrets(raw string) []string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= 20 || (len(s) >= 8 && strings.ContainsAny(s, "0123456789")) {
			out = append(out, s)
		}
	}
	if u.User != nil {
		out = append(out, u.User.Username())
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		add(seg)
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			add(v)
			add(url.QueryEscape(v))
		}
	}
	return out
}

// Known redacts the exact secrets given wherever they stand in s, then
// what Text finds: a secret known to the caller is hidden in any shape
// around it, not only inside a URL or after a name= that Text knows.
func Known(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return Text(s)
}

// Error returns err with every URL in its message redacted, including the
// quoted (and so escaped) form a *url.Error prints for a URL it could not
// parse. The result still unwraps to the cause below the *url.Error, so
// errors.Is(err, context.DeadlineExceeded) and friends keep working; the
// *url.Error itself, which would print the URL again, is not reachable.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var cause error
	walk(err, func(e error) {
		ue, ok := e.(*url.Error)
		if !ok {
			return
		}
		if cause == nil {
			cause = ue.Err
		}
		// A url.Error prints its URL with %q: replace that form first.
		msg = strings.ReplaceAll(msg, strconv.Quote(ue.URL), strconv.Quote(URL(ue.URL)))
		if ue.URL != "" {
			msg = strings.ReplaceAll(msg, ue.URL, URL(ue.URL))
		}
	})
	msg = Text(msg)
	if cause == nil && msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, cause: cause}
}

// walk calls f on err and everything it wraps, joined errors included.
func walk(err error, f func(error)) {
	for err != nil {
		f(err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, f)
			}
			return
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return
		}
	}
}

type redacted struct {
	msg   string
	cause error
}

func (r *redacted) Error() string { return r.msg }

// Unwrap gives the cause below the URL (nil when the URL was only in the
// text), never the *url.Error.
func (r *redacted) Unwrap() error { return r.cause }
