// Package notify delivers alert notifications: DingTalk, WeCom and Lark
// robots, a signed generic JSON webhook, and SMS to on-call people.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"smsflow/shared/netx"
	"smsflow/shared/redact"
)

// Message is one notification, rendered by package alert. Robots show
// Title and Markdown/Text; the webhook sends the structured fields.
type Message struct {
	// ID is unique per notice and stable across retries of the same claim:
	// receivers may de-duplicate on it.
	ID             string            `json:"id"`
	Status         string            `json:"status"` // firing | resolved
	Kind           string            `json:"kind"`   // firing | repeat | resolved
	Rule           string            `json:"rule"`
	Severity       string            `json:"severity"`
	Group          map[string]string `json:"group,omitempty"`
	Value          string            `json:"value"`
	Threshold      string            `json:"threshold"`
	Comparison     string            `json:"comparison"`
	Window         string            `json:"window"`
	Samples        int64             `json:"samples"`
	Query          string            `json:"query"`
	ExampleTraceID string            `json:"example_trace_id,omitempty"`
	FiredAt        time.Time         `json:"fired_at,omitzero"`
	ResolvedAt     time.Time         `json:"resolved_at,omitzero"`
	FiredFor       string            `json:"fired_for,omitempty"`
	Labels         map[string]string `json:"labels,omitempty"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	Title          string            `json:"title"`
	Text           string            `json:"text"`
	Markdown       string            `json:"-"`
	// Vars are the ${name} values for templates (SMS parameters).
	Vars map[string]string `json:"-"`
}

// Channel sends a message somewhere. An error means "not delivered, try
// again next run"; see PartialError for a message that reached some.
type Channel interface {
	Send(ctx context.Context, m Message) error
}

// PartialError reports a message that reached some recipients but not all
// (SMS to several on-call numbers). It counts as delivered: re-sending
// would page the reached people twice.
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return "partly delivered: " + e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// UnknownError reports a notice that may have been delivered: the request
// left, and no answer says whether it was taken (a timeout or a reset
// after sending, a gateway's 502/504, an SMS whose outcome is unknown).
// It is never retried automatically: a retry could page twice. The state
// machine counts it as possibly delivered and it is logged as unknown.
type UnknownError struct{ Err error }

func (e *UnknownError) Error() string {
	return "delivery unknown (it may have arrived): " + e.Err.Error()
}
func (e *UnknownError) Unwrap() error { return e.Err }

// maxErrorBody bounds how much of a failing answer lands in an error.
const maxErrorBody = 512

// postJSON posts body as JSON and returns the answer of a 2xx response.
func postJSON(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		// Nothing left: a failure (retried), not an unknown delivery.
		return nil, fmt.Errorf("not sent: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", redact.Error(err))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := noRedirects(client).Do(req)
	if err != nil {
		notSent := netx.NotSent(err)
		err = fmt.Errorf("post: %w", redact.Error(err))
		if !notSent {
			return nil, &UnknownError{Err: err}
		}
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		err = fmt.Errorf("HTTP %d, then reading the answer: %w", resp.StatusCode, redact.Error(err))
		if resp.StatusCode/100 == 2 {
			// The receiver took the request: it may have the notice,
			// so sending it again could page twice.
			return nil, &UnknownError{Err: err}
		}
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		// A receiver may echo the request, query string and all, or the
		// token alone in a shape no pattern knows ({"path":"/hooks/<token>"}).
		err := fmt.Errorf("HTTP %d: %s", resp.StatusCode, answerText(answer, url))
		if resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout {
			// A gateway answers for its hop: the receiver may have it.
			return nil, &UnknownError{Err: err}
		}
		return nil, err
	}
	return answer, nil
}

// noRedirects is client (http.DefaultClient when nil) made to answer a
// redirect as it is instead of following it. Go's client follows a
// 301/302/303 on a POST with a bodiless GET, so a receiver behind a
// redirect would answer 200 to a request without the alert (delivered, as
// far as we could tell), and it sends the previous URL, token and all, as
// Referer to whatever host the redirect names. A robot or webhook URL is
// exact: a redirect is a failure to fix in the configuration.
func noRedirects(client *http.Client) *http.Client {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// robotAnswer covers the answers of the three robots: DingTalk and WeCom
// say {"errcode":0,"errmsg":"ok"}, Lark {"code":0,"msg":"success"} (older
// Lark bots {"StatusCode":0}). A robot refusal comes with HTTP 200.
type robotAnswer struct {
	ErrCode    *int   `json:"errcode"`
	ErrMsg     string `json:"errmsg"`
	Code       *int   `json:"code"`
	Msg        string `json:"msg"`
	StatusCode *int   `json:"StatusCode"`
}

// checkRobotAnswer reads a robot's 2xx answer to a post to url.
func checkRobotAnswer(answer []byte, url string) error {
	var a robotAnswer
	if err := json.Unmarshal(answer, &a); err != nil {
		return fmt.Errorf("robot answer is not JSON: %s", answerText(answer, url))
	}
	switch {
	case a.ErrCode != nil && *a.ErrCode != 0:
		return fmt.Errorf("robot refused: errcode %d: %s", *a.ErrCode, answerText([]byte(a.ErrMsg), url))
	case a.Code != nil && *a.Code != 0:
		return fmt.Errorf("robot refused: code %d: %s", *a.Code, answerText([]byte(a.Msg), url))
	case a.StatusCode != nil && *a.StatusCode != 0:
		return fmt.Errorf("robot refused: StatusCode %d", *a.StatusCode)
	case a.ErrCode == nil && a.Code == nil && a.StatusCode == nil:
		return fmt.Errorf("robot answer has no status code: %s", answerText(answer, url))
	}
	return nil
}

// answerText is a receiver's answer fit for an error, which reaches SLS:
// bounded, and with every credential of the URL it was posted to hidden,
// in whatever shape the receiver echoed it (redact.Known).
func answerText(answer []byte, url string) string {
	// Hidden before it is cut: a cut through a token would leave its
	// first characters, which no longer match it.
	return truncate(redact.Known(string(answer), redact.URLSecrets(url)), maxErrorBody)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
