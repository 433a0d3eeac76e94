package dysms

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// ReceiptConfig makes the emulator produce delivery receipts (SmsReport)
// the way Alibaba does: each accepted message stays waiting (SendStatus 1)
// until its operator report comes in, after Delay; then QuerySendDetails
// shows the outcome and the receipt is pushed by HTTP (SmsReport batch
// push). Without a PushURL the emulator decides delivery at acceptance and
// sends no receipts (the behaviour before receipts).
//
// The MNS report queue is not emulated: at Alibaba it is read by pulling
// with a dybaseapi QueryTokenForMnsQueue token, and smsflow has no pulling
// consumer (docs/receipts.md).
type ReceiptConfig struct {
	// PushURL receives HTTP pushes: POST, a JSON array of receipts. A push
	// is acknowledged only by HTTP 200 with a JSON body whose "code" is a
	// number (any number), answered within AnswerTimeout; anything else is
	// pushed again after each Retry delay, then dropped.
	PushURL string
	// AnswerTimeout is how long a push waits for its answer before it
	// counts as failed; default AlibabaAnswerTimeout (700 ms).
	AnswerTimeout time.Duration
	// Delay is how long after acceptance the operator reports (real time,
	// and the report_time the receipt carries). Default 500 ms.
	Delay time.Duration
	// SlowDelay is the delay of the "delayed receipt" reserved number.
	// Default 10 × Delay.
	SlowDelay time.Duration
	// Retry is the re-push schedule after a failed push. Alibaba's is
	// AlibabaRetrySchedule; the default is LocalRetrySchedule.
	Retry []time.Duration
	// FailRatio and LostRatio are the outcome mix of ordinary numbers: the
	// share whose delivery fails (MK:0001) and the share that never gets a
	// receipt (stays waiting). Reserved numbers are not drawn.
	FailRatio, LostRatio float64
	// Client sends the pushes; default: no proxy (AnswerTimeout bounds
	// each push).
	Client *http.Client
}

// AlibabaRetrySchedule is when Alibaba pushes a receipt again after a
// failed push (1, 5 and 10 minutes), after which it drops the receipt.
var AlibabaRetrySchedule = []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute}

// LocalRetrySchedule is AlibabaRetrySchedule shortened for local runs.
var LocalRetrySchedule = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, time.Second}

func (c ReceiptConfig) withDefaults() ReceiptConfig {
	if c.Delay <= 0 {
		c.Delay = 500 * time.Millisecond
	}
	if c.SlowDelay <= 0 {
		c.SlowDelay = 10 * c.Delay
	}
	if c.Retry == nil {
		c.Retry = LocalRetrySchedule
	}
	if c.AnswerTimeout <= 0 {
		c.AnswerTimeout = AlibabaAnswerTimeout
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return c
}

func (c ReceiptConfig) enabled() bool { return c.PushURL != "" }

// ConfigureReceipts turns receipts on (or off, with the zero value) for
// messages accepted from now on, and for those held while receipts were
// pending (Options.ReceiptsPending): turned on, they are reported now;
// turned off, they are delivered as decided at acceptance.
func (s *Server) ConfigureReceipts(c ReceiptConfig) error {
	if c.FailRatio < 0 || c.LostRatio < 0 || c.FailRatio+c.LostRatio > 1 {
		return errors.New("dysms: FailRatio and LostRatio must be shares that add up to at most 1")
	}
	s.mu.Lock()
	s.receiptsSettled = true
	if c.enabled() {
		c = c.withDefaults()
		s.receipts = &c
	} else {
		s.receipts = nil
	}
	deliveries := s.releaseHeldLocked()
	s.mu.Unlock()
	for _, d := range deliveries {
		s.schedule(d)
	}
	return nil
}

// holdLocked keeps a settled message's outcome until receipts are
// configured, and answers whether it did: only while receipts are pending.
// The stored message stays waiting (SendStatus 1) meanwhile. s.mu is held.
func (s *Server) holdLocked(m *Message) bool {
	if !s.opts.ReceiptsPending || s.receiptsSettled {
		return false
	}
	s.held = append(s.held, m.clone())
	m.Status, m.ErrCode, m.ReceivedAt = StatusWaiting, "", time.Time{}
	return true
}

// releaseHeldLocked plans the receipts of the held messages (receipts on),
// or applies their outcomes as decided at acceptance (receipts off).
// s.mu is held.
func (s *Server) releaseHeldLocked() []*delivery {
	var out []*delivery
	for _, h := range s.held {
		if d := s.planReceiptLocked(&h); d != nil {
			out = append(out, d)
			continue
		}
		if s.receipts == nil {
			s.restoreLocked(h)
		}
	}
	s.held = nil
	return out
}

// restoreLocked gives a held message its outcome decided at acceptance.
func (s *Server) restoreLocked(h Message) {
	for i := range s.messages {
		m := &s.messages[i]
		if m.BizID == h.BizID && m.RequestID == h.RequestID && m.Phone == h.Phone && m.Status == StatusWaiting {
			m.Status, m.ErrCode, m.ReceivedAt = h.Status, h.ErrCode, h.ReceivedAt
			return
		}
	}
}

// Receipt is one SmsReport, exactly as Alibaba pushes it.
type Receipt struct {
	PhoneNumber string `json:"phone_number"`
	SendTime    string `json:"send_time"`
	ReportTime  string `json:"report_time"`
	Success     bool   `json:"success"`
	ErrCode     string `json:"err_code"`
	ErrMsg      string `json:"err_msg"`
	SMSSize     string `json:"sms_size"`
	BizID       string `json:"biz_id"`
	OutID       string `json:"out_id"`
}

// receiptQuirk is how a reserved number's receipts misbehave.
type receiptQuirk int

const (
	quirkNone         receiptQuirk = iota
	quirkSlow                      // reported after SlowDelay
	quirkDuplicate                 // every receipt pushed twice
	quirkOutOfOrder                // two parts, the later report pushed first
	quirkBeforeAnswer              // reported and pushed before SendSms answers
)

// smsParts is how many SMS a text takes: 70 characters fit one; a longer
// text is split into parts of 67 (the rest carries the concatenation
// header). Alibaba counts the signature in the text.
func smsParts(content string) int {
	n := utf8.RuneCountInString(content)
	if n <= 70 {
		return 1
	}
	return (n + 66) / 67
}

// delivery is the plan for one message's receipts.
type delivery struct {
	bizID, requestID, phone string
	receipts                []Receipt
	after                   time.Duration // real time until the report
	quirk                   receiptQuirk
	generation              int
}

// planReceiptLocked decides a freshly settled message's receipts when
// receipts are on: the message goes back to waiting, and the outcome is
// applied when its report comes in. It answers nil when there is nothing
// to report (receipts off, or the message is never reported). s.mu is held.
func (s *Server) planReceiptLocked(m *Message) *delivery {
	cfg := s.receipts
	if cfg == nil {
		return nil
	}
	status, errCode := m.Status, m.ErrCode
	m.Status, m.ErrCode, m.ReceivedAt = StatusWaiting, "", time.Time{}
	quirk := magicReceiptQuirk(m.Phone)
	if _, reserved := magicNumbers[m.Phone]; !reserved {
		switch x := rand.Float64(); {
		case x < cfg.FailRatio:
			status, errCode = StatusFailed, errCodeFailed
		case x < cfg.FailRatio+cfg.LostRatio:
			status = StatusWaiting
		}
	}
	if status == StatusWaiting {
		return nil // lost: no report ever comes
	}
	d := &delivery{bizID: m.BizID, requestID: m.RequestID, phone: m.Phone, after: cfg.Delay, quirk: quirk, generation: s.receiptGen}
	switch quirk {
	case quirkSlow:
		d.after = cfg.SlowDelay
	case quirkBeforeAnswer:
		d.after = 0
	}
	parts := smsParts(m.Content)
	if quirk == quirkOutOfOrder && parts < 2 {
		parts = 2
	}
	report := m.AcceptedAt.Add(d.after).Truncate(time.Second)
	if !report.After(m.AcceptedAt.Truncate(time.Second)) {
		report = report.Add(time.Second) // a report is never in the send's second
	}
	for i := 0; i < parts; i++ {
		r := Receipt{PhoneNumber: m.Phone, SendTime: m.AcceptedAt.In(chinaTime).Format(receiptLayout),
			// One second between parts, so each part's receipt is distinct.
			ReportTime: report.Add(time.Duration(i) * time.Second).In(chinaTime).Format(receiptLayout),
			Success:    status == StatusDelivered, ErrCode: errCode, SMSSize: strconv.Itoa(parts), BizID: m.BizID, OutID: m.OutID}
		r.ErrMsg = "用户接收成功"
		if !r.Success {
			r.ErrMsg = "用户接收失败"
		}
		d.receipts = append(d.receipts, r)
	}
	return d
}

const receiptLayout = "2006-01-02 15:04:05"

// magicReceiptQuirk answers how a reserved number's receipts misbehave.
func magicReceiptQuirk(phone string) receiptQuirk {
	return magicNumbers[phone].receipt
}
