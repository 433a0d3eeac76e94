package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of the generic webhook. The signature covers the timestamp and
// the exact body bytes:
//
//	X-Smsflow-Timestamp: <unix seconds>
//	X-Smsflow-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver recomputes it and rejects stale timestamps (replays).
const (
	HeaderTimestamp = "X-Smsflow-Timestamp"
	HeaderSignature = "X-Smsflow-Signature"
)

// Webhook posts the Message as JSON to any URL.
type Webhook struct {
	URL    string
	Secret string // "" sends unsigned
	Client *http.Client
	Now    func() time.Time
}

// WebhookSignature is the X-Smsflow-Signature value for body at ts.
func WebhookSignature(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks the two headers against body: a receiver's half of
// the contract (local/sink uses it).
func VerifyWebhook(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("bad %s %q", HeaderTimestamp, timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s is %s away from now", HeaderTimestamp, d.Round(time.Second))
	}
	if !strings.HasPrefix(signature, "sha256=") {
		return errors.New("signature must start with sha256=")
	}
	if !hmac.Equal([]byte(signature), []byte(WebhookSignature(secret, ts, body))) {
		return errors.New("signature does not match")
	}
	return nil
}

func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("webhook body: %w", err)
	}
	header := http.Header{}
	if w.Secret != "" {
		ts := nowOf(w.Now).Unix()
		header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		header.Set(HeaderSignature, WebhookSignature(w.Secret, ts, body))
	}
	if _, err := postJSON(ctx, w.Client, w.URL, body, header); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}
