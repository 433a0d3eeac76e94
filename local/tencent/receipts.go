package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ReceiptConfig makes the emulator call back with delivery receipts, as
// Tencent's "SMS Sending Status Notification" does (doc 382/43547): POST a
// JSON array of Receipt to the configured URL; only HTTP 200 with
// {"result":0} acknowledges.
type ReceiptConfig struct {
	PushURL string
	// Delay is how long after acceptance the operator reports. Default 500 ms.
	Delay time.Duration
	// Retry is the re-push schedule after a failed push (Tencent's own is
	// not documented); default LocalRetrySchedule.
	Retry []time.Duration
	// Client sends the pushes; default: no proxy, 5 s timeout.
	Client *http.Client
}

// LocalRetrySchedule is the local re-push schedule.
var LocalRetrySchedule = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, time.Second}

// Receipt is one status report, exactly as Tencent calls back with it.
type Receipt struct {
	UserReceiveTime string `json:"user_receive_time"`
	NationCode      string `json:"nationcode"`
	Mobile          string `json:"mobile"`
	ReportStatus    string `json:"report_status"`
	ErrMsg          string `json:"errmsg"`
	Description     string `json:"description"`
	SID             string `json:"sid"`
}

// ReceiptPush is one callback attempt (GET /_emulator/receipts lists them).
type ReceiptPush struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	SIDs    []string  `json:"sids"`
	Status  int       `json:"status,omitempty"`
	Error   string    `json:"error,omitempty"`
	Acked   bool      `json:"acked"`
	Dropped bool      `json:"dropped,omitempty"`
}

var chinaTime = time.FixedZone("CST", 8*3600)

// ConfigureReceipts turns receipts on (or off with the zero value) for
// messages accepted from now on.
func (s *Server) ConfigureReceipts(c ReceiptConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.PushURL == "" {
		s.receipts = nil
		return
	}
	if c.Delay <= 0 {
		c.Delay = 500 * time.Millisecond
	}
	if c.Retry == nil {
		c.Retry = LocalRetrySchedule
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 5 * time.Second}
	}
	s.receipts = &c
}

// ReceiptPushes answers every callback attempt since the last Reset.
func (s *Server) ReceiptPushes() []ReceiptPush {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ReceiptPush(nil), s.pushes...)
}

// planReceiptLocked schedules m's receipt when receipts are on. s.mu is held.
func (s *Server) planReceiptLocked(m Message) {
	cfg, gen := s.receipts, s.gen
	outcome := reservedNumbers[m.PhoneNumber].receipt
	if cfg == nil || outcome == "none" {
		return
	}
	r := Receipt{NationCode: "86", Mobile: strings.TrimPrefix(m.PhoneNumber, "+86"), ReportStatus: "SUCCESS",
		ErrMsg: "DELIVRD", Description: "用户短信送达成功", SID: m.SerialNo,
		UserReceiveTime: m.AcceptedAt.Add(cfg.Delay).In(chinaTime).Format("2006-01-02 15:04:05")}
	if !isMainland(m.PhoneNumber) {
		r.NationCode, r.Mobile = "", strings.TrimPrefix(m.PhoneNumber, "+")
	}
	if outcome == "FAIL" {
		r.ReportStatus, r.ErrMsg, r.Description = "FAIL", "MK:0001", "用户短信送达失败"
	}
	time.AfterFunc(cfg.Delay, func() { s.report(*cfg, gen, r) })
}

func (s *Server) report(cfg ReceiptConfig, gen int, r Receipt) {
	s.mu.Lock()
	if gen != s.gen {
		s.mu.Unlock()
		return
	}
	for i := range s.messages {
		if s.messages[i].SerialNo == r.SID {
			s.messages[i].ReportStatus = r.ReportStatus
		}
	}
	s.mu.Unlock()
	for attempt := 1; ; attempt++ {
		status, err := push(cfg, []Receipt{r})
		p := ReceiptPush{At: time.Now(), Attempt: attempt, SIDs: []string{r.SID}, Status: status, Acked: err == nil}
		if err != nil {
			p.Error, p.Dropped = err.Error(), attempt > len(cfg.Retry)
		}
		s.mu.Lock()
		if gen != s.gen {
			s.mu.Unlock()
			return
		}
		s.pushes = append(s.pushes, p)
		s.mu.Unlock()
		s.opts.Logf("tencent receipt push #%d acked=%t %s", attempt, p.Acked, p.Error)
		if p.Acked || p.Dropped {
			return
		}
		time.Sleep(cfg.Retry[attempt-1])
	}
}

// push is one callback; only 200 with {"result":0} acknowledges.
func push(cfg ReceiptConfig, batch []Receipt) (int, error) {
	body, _ := json.Marshal(batch)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, cfg.PushURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL's path holds the secret token
		}
		return 0, fmt.Errorf("callback: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	}
	var ack struct {
		Result *int `json:"result"`
	}
	if json.Unmarshal(raw, &ack) != nil || ack.Result == nil || *ack.Result != 0 {
		return resp.StatusCode, errors.New(`callback answered 200 without {"result":0}`)
	}
	return resp.StatusCode, nil
}
