package sink

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"smsflow/shared/alert/notify"
)

const maxBody = 1 << 20

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return b, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// webhook receives the generic webhook: the notify.Message JSON, signed
// with X-Smsflow-Timestamp / X-Smsflow-Signature.
func (s *Sink) webhook(w http.ResponseWriter, r *http.Request) {
	n := Notification{Channel: "webhook"}
	body, err := readBody(r)
	var m notify.Message
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	sig := r.Header.Get(notify.HeaderSignature)
	if err == nil && (s.cfg.WebhookSecret != "" || sig != "") {
		n.Signed = true
		err = notify.VerifyWebhook(s.cfg.WebhookSecret, r.Header.Get(notify.HeaderTimestamp), sig, body,
			s.cfg.Now(), webhookTolerance)
	}
	n.Title, n.Text, n.Status, n.Rule, n.ID = m.Title, m.Text, m.Status, m.Rule, m.ID
	if err != nil {
		n.Error = err.Error()
		s.add(n)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	n.Accepted = true
	s.add(n)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// robotMarkdown is the body DingTalk and WeCom robots receive.
type robotMarkdown struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Title   string `json:"title"`
		Text    string `json:"text"`    // DingTalk
		Content string `json:"content"` // WeCom
	} `json:"markdown"`
	Text struct {
		Content string `json:"content"`
	} `json:"text"`
}

func (s *Sink) dingTalk(w http.ResponseWriter, r *http.Request) {
	n := Notification{Channel: "dingtalk"}
	var m robotMarkdown
	err := decodeRobot(r, &m)
	q := r.URL.Query()
	if err == nil && q.Get("access_token") == "" {
		err = errors.New("no access_token")
	}
	if err == nil && (s.cfg.DingTalkSecret != "" || q.Has("sign")) {
		n.Signed = true
		err = verifyTimestamped(q.Get("timestamp"), q.Get("sign"), s.cfg.Now(), time.Millisecond,
			func(ts int64) string { return notify.DingTalkSign(s.cfg.DingTalkSecret, ts) })
	}
	n.Title, n.Text = m.Markdown.Title, firstNonEmpty(m.Markdown.Text, m.Text.Content)
	s.robotAnswer(w, n, err, map[string]any{"errcode": 310000, "errmsg": "sign not match"},
		map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (s *Sink) weCom(w http.ResponseWriter, r *http.Request) {
	n := Notification{Channel: "wecom"}
	var m robotMarkdown
	err := decodeRobot(r, &m)
	if err == nil && r.URL.Query().Get("key") == "" {
		err = errors.New("no key")
	}
	n.Text = firstNonEmpty(m.Markdown.Content, m.Text.Content)
	s.robotAnswer(w, n, err, map[string]any{"errcode": 93000, "errmsg": "invalid webhook url"},
		map[string]any{"errcode": 0, "errmsg": "ok"})
}

// larkText is the body a Lark custom bot receives.
type larkText struct {
	Timestamp string `json:"timestamp"`
	Sign      string `json:"sign"`
	MsgType   string `json:"msg_type"`
	Content   struct {
		Text string `json:"text"`
	} `json:"content"`
}

func (s *Sink) lark(w http.ResponseWriter, r *http.Request) {
	n := Notification{Channel: "lark"}
	var m larkText
	err := decodeRobot(r, &m)
	if err == nil && (s.cfg.LarkSecret != "" || m.Sign != "") {
		n.Signed = true
		err = verifyTimestamped(m.Timestamp, m.Sign, s.cfg.Now(), time.Second,
			func(ts int64) string { return notify.LarkSign(s.cfg.LarkSecret, ts) })
	}
	n.Text = m.Content.Text
	s.robotAnswer(w, n, err,
		map[string]any{"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
		map[string]any{"code": 0, "msg": "success", "data": map[string]any{}})
}

// robotAnswer records n and answers like the robot: HTTP 200 either way,
// with the refusal in the body.
func (s *Sink) robotAnswer(w http.ResponseWriter, n Notification, err error, refusal, ok map[string]any) {
	if err != nil {
		n.Error = err.Error()
		s.add(n)
		writeJSON(w, http.StatusOK, refusal)
		return
	}
	n.Accepted = true
	s.add(n)
	writeJSON(w, http.StatusOK, ok)
}

func decodeRobot(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return nil
}

// verifyTimestamped checks a robot's timestamp (in unit) and signature.
func verifyTimestamped(timestamp, sign string, now time.Time, unit time.Duration, want func(int64) string) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("bad timestamp %q", timestamp)
	}
	if d := now.Sub(time.Unix(0, ts*int64(unit))); d > robotTolerance || d < -robotTolerance {
		return fmt.Errorf("timestamp is %s away from now", d.Round(time.Second))
	}
	if !hmac.Equal([]byte(sign), []byte(want(ts))) {
		return errors.New("sign not match")
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Sink) list(w http.ResponseWriter, r *http.Request) {
	out := []Notification{}
	ch := r.URL.Query().Get("channel")
	for _, n := range s.Notifications() {
		if ch == "" || n.Channel == ch {
			out = append(out, n)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": out, "counts": s.Counts()})
}

func (s *Sink) clear(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.kept = nil
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
