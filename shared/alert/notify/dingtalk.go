package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"smsflow/shared/redact"
)

// DingTalk posts markdown to a DingTalk group robot
// (https://oapi.dingtalk.com/robot/send?access_token=...).
type DingTalk struct {
	URL    string // with access_token
	Secret string // "SEC..." when the robot uses 加签 signing, else ""
	Client *http.Client
	Now    func() time.Time // for tests; time.Now when nil
}

// dingTalkMaxBytes is DingTalk's documented message size limit (20000 bytes).
const dingTalkMaxBytes = 20000

// DingTalkSign is the robot signature: base64(HMAC-SHA256(key=secret,
// msg=timestamp+"\n"+secret)), timestamp in milliseconds. It goes in the
// `sign` query parameter, URL-encoded, beside `timestamp`.
func DingTalkSign(secret string, timestampMillis int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n%s", timestampMillis, secret)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (d *DingTalk) Send(ctx context.Context, m Message) error {
	target, err := url.Parse(d.URL)
	if err != nil {
		// url.Parse quotes the whole URL, access_token included.
		return fmt.Errorf("dingtalk url: %w", redact.Error(err))
	}
	if d.Secret != "" {
		ts := nowOf(d.Now).UnixMilli()
		q := target.Query()
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("sign", DingTalkSign(d.Secret, ts))
		target.RawQuery = q.Encode()
	}
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"title": m.Title, "text": truncate(m.Markdown, dingTalkMaxBytes-len(m.Title)-64)},
	})
	if err != nil {
		return fmt.Errorf("dingtalk body: %w", err)
	}
	answer, err := postJSON(ctx, d.Client, target.String(), body, nil)
	if err != nil {
		return fmt.Errorf("dingtalk: %w", err)
	}
	if err := checkRobotAnswer(answer, target.String()); err != nil {
		return fmt.Errorf("dingtalk: %w", err)
	}
	return nil
}

func nowOf(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
