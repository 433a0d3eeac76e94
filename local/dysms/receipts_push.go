package dysms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// ReceiptPush is one attempt at handing receipts over: an HTTP push
// (the only way the emulator hands them over). The admin API lists them (GET
// /_emulator/receipts) so tests can see re-pushes.
type ReceiptPush struct {
	Via      string    `json:"via"` // "http": the SmsReport push (the report queue is not emulated)
	At       time.Time `json:"at"`
	Attempt  int       `json:"attempt"` // 1 for the first push of these receipts
	BizIDs   []string  `json:"biz_ids"`
	Receipts int       `json:"receipts"`
	Status   int       `json:"status,omitempty"` // HTTP status of the answer
	Error    string    `json:"error,omitempty"`
	Acked    bool      `json:"acked"`
	Dropped  bool      `json:"dropped,omitempty"` // the last attempt failed: given up, as Alibaba does
}

// ReceiptPushes answers every push attempt since the last Reset, oldest first.
func (s *Server) ReceiptPushes() []ReceiptPush {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ReceiptPush, len(s.pushes))
	for i, p := range s.pushes {
		p.BizIDs = slices.Clone(p.BizIDs)
		out[i] = p
	}
	return out
}

// schedule reports d after its delay.
func (s *Server) schedule(d *delivery) {
	time.AfterFunc(d.after, func() { s.report(d, false) })
}

// report applies d's outcome to its message (QuerySendDetails shows it
// from now on), then hands its receipts over the way d's quirk says. With
// firstInline the first attempt runs before report returns (the receipt
// that beats the SendSms answer).
func (s *Server) report(d *delivery, firstInline bool) {
	s.mu.Lock()
	cfg := s.receipts
	if d.generation != s.receiptGen || cfg == nil {
		s.mu.Unlock()
		return // Reset since, or receipts turned off
	}
	s.applyReportLocked(d)
	s.mu.Unlock()

	var batches [][]Receipt
	switch d.quirk {
	case quirkDuplicate:
		batches = [][]Receipt{d.receipts, d.receipts}
	case quirkOutOfOrder:
		for i := len(d.receipts) - 1; i >= 0; i-- {
			batches = append(batches, []Receipt{d.receipts[i]})
		}
	default:
		batches = [][]Receipt{d.receipts}
	}
	if firstInline {
		s.hand(*cfg, d.generation, batches[0], true)
		batches = batches[1:]
	}
	go func() {
		// One after the other: the order is the point of the quirks.
		for _, b := range batches {
			s.hand(*cfg, d.generation, b, false)
		}
	}()
}

// applyReportLocked moves the message to its reported state.
func (s *Server) applyReportLocked(d *delivery) {
	last := d.receipts[0]
	for _, r := range d.receipts {
		if r.ReportTime > last.ReportTime {
			last = r
		}
	}
	received, _ := time.ParseInLocation(receiptLayout, last.ReportTime, chinaTime)
	for i := range s.messages {
		m := &s.messages[i]
		if m.BizID != d.bizID || m.RequestID != d.requestID || m.Phone != d.phone || m.Status != StatusWaiting {
			continue
		}
		m.Status, m.ErrCode, m.ReceivedAt = StatusFailed, last.ErrCode, received
		if last.Success {
			m.Status = StatusDelivered
		}
		return
	}
}

// hand pushes one batch of receipts through every configured way, with
// Alibaba's retry schedule. With inlineFirst only the first attempt runs
// before hand returns; the retries run on their own.
func (s *Server) hand(cfg ReceiptConfig, generation int, batch []Receipt, inlineFirst bool) {
	if cfg.PushURL != "" {
		s.withRetries(cfg, generation, "http", batch, inlineFirst, func(ctx context.Context) (int, error) {
			return pushHTTP(ctx, cfg, batch)
		})
	}
}

func (s *Server) withRetries(cfg ReceiptConfig, generation int, via string, batch []Receipt, inlineFirst bool, try func(context.Context) (int, error)) {
	bizIDs := []string{}
	for _, r := range batch {
		if !slices.Contains(bizIDs, r.BizID) {
			bizIDs = append(bizIDs, r.BizID)
		}
	}
	attempt := func(n int) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		status, err := try(ctx)
		p := ReceiptPush{Via: via, At: time.Now(), Attempt: n, BizIDs: bizIDs, Receipts: len(batch), Status: status, Acked: err == nil}
		if err != nil {
			p.Error = err.Error()
			p.Dropped = n > len(cfg.Retry)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if generation != s.receiptGen {
			return true // Reset: forget it
		}
		s.pushes = append(s.pushes, p)
		s.logf("dysms receipt %s push #%d: %d receipts, acked=%t %s", via, n, len(batch), p.Acked, p.Error)
		return p.Acked
	}
	rest := func(from int) {
		for n := from; n <= len(cfg.Retry)+1; n++ {
			time.Sleep(cfg.Retry[n-2])
			if attempt(n) {
				return
			}
		}
	}
	if inlineFirst {
		if !attempt(1) {
			go rest(2)
		}
		return
	}
	if !attempt(1) {
		rest(2)
	}
}

// AlibabaAnswerTimeout is how long Alibaba waits for the answer to a push
// before it counts the push as failed (doc 101508: "响应超时时间为700ms").
const AlibabaAnswerTimeout = 700 * time.Millisecond

// pushHTTP is one SmsReport push, given up after cfg.AnswerTimeout as
// Alibaba does. pushAcknowledged decides whether the answer counts.
func pushHTTP(ctx context.Context, cfg ReceiptConfig, batch []Receipt) (int, error) {
	body, err := json.Marshal(batch)
	if err != nil {
		return 0, fmt.Errorf("encoding receipts: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.AnswerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.PushURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("push request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json;charset=utf-8")
	resp, err := cfg.Client.Do(req)
	if err == nil {
		defer resp.Body.Close()
		var raw []byte
		if raw, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10)); err == nil {
			return resp.StatusCode, pushAcknowledged(resp.StatusCode, raw)
		}
	}
	// url.Error quotes the URL, whose path holds the push token.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return 0, fmt.Errorf("push not answered within %s (Alibaba gives up then)", cfg.AnswerTimeout)
	}
	return 0, fmt.Errorf("push: %w", err)
}

// pushAcknowledged applies Alibaba's rule for an answer: HTTP 200 and a
// JSON body whose "code" is a number, whatever its value ("系统仅校验返回值
// 的code是否为数字,不校验内容", doc 101508). A string "0" is not a number,
// so it does not acknowledge (our reading of the doc; conformance RC-04).
func pushAcknowledged(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("push answered HTTP %d", status)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ack map[string]any
	if err := dec.Decode(&ack); err != nil {
		return errors.New("push answered 200 without a JSON object")
	}
	if _, ok := ack["code"].(json.Number); !ok {
		return errors.New(`push answered 200 without a numeric "code"`)
	}
	return nil
}
