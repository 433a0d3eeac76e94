package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// WeCom posts markdown to a WeCom (企业微信) group robot
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). The key in
// the URL is the only credential: WeCom robots are not signed.
type WeCom struct {
	URL    string
	Client *http.Client
}

// weComMaxBytes is WeCom's markdown content limit (4096 bytes, UTF-8).
const weComMaxBytes = 4096

func (w *WeCom) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": truncate(m.Markdown, weComMaxBytes-8)},
	})
	if err != nil {
		return fmt.Errorf("wecom body: %w", err)
	}
	answer, err := postJSON(ctx, w.Client, w.URL, body, nil)
	if err != nil {
		return fmt.Errorf("wecom: %w", err)
	}
	if err := checkRobotAnswer(answer, w.URL); err != nil {
		return fmt.Errorf("wecom: %w", err)
	}
	return nil
}
