package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Lark posts text to a Lark/Feishu custom bot
// (https://open.feishu.cn/open-apis/bot/v2/hook/...).
type Lark struct {
	URL    string
	Secret string // signature-verification secret, "" when off
	Client *http.Client
	Now    func() time.Time
}

// larkMaxBytes keeps the request under Lark's 20 KB body limit.
const larkMaxBytes = 18000

// LarkSign is the custom bot signature: the HMAC-SHA256 key is
// timestamp+"\n"+secret and the message is empty; base64. The timestamp is
// in seconds and must be within an hour of Lark's clock.
func LarkSign(secret string, timestampSeconds int64) string {
	mac := hmac.New(sha256.New, fmt.Appendf(nil, "%d\n%s", timestampSeconds, secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// larkBody is the custom bot request; timestamp and sign sit in the body.
type larkBody struct {
	Timestamp string            `json:"timestamp,omitempty"`
	Sign      string            `json:"sign,omitempty"`
	MsgType   string            `json:"msg_type"`
	Content   map[string]string `json:"content"`
}

func (l *Lark) Send(ctx context.Context, m Message) error {
	text := truncate(m.Title+"\n"+m.Text, larkMaxBytes)
	b := larkBody{MsgType: "text", Content: map[string]string{"text": text}}
	if l.Secret != "" {
		ts := nowOf(l.Now).Unix()
		b.Timestamp, b.Sign = strconv.FormatInt(ts, 10), LarkSign(l.Secret, ts)
	}
	body, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("lark body: %w", err)
	}
	answer, err := postJSON(ctx, l.Client, l.URL, body, nil)
	if err != nil {
		return fmt.Errorf("lark: %w", err)
	}
	if err := checkRobotAnswer(answer, l.URL); err != nil {
		return fmt.Errorf("lark: %w", err)
	}
	return nil
}
