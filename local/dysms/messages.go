package dysms

import "time"

// DeliveryStatus is QuerySendDetails' SendStatus.
type DeliveryStatus int

const (
	StatusWaiting   DeliveryStatus = 1 // 等待回执
	StatusFailed    DeliveryStatus = 2 // 发送失败
	StatusDelivered DeliveryStatus = 3 // 发送成功
)

// Message is one accepted ("sent") SMS: one per phone number of an
// accepted SendSms or SendBatchSms. It carries everything a delivery
// receipt (SmsReport) and QuerySendDetails need.
//
// Without receipts configured the delivery outcome is decided at
// acceptance: delivered at once, except for the reserved numbers that stay
// waiting or fail (see magic.go). With receipts (receipts.go) the message
// waits, and its report moves Status, ErrCode and ReceivedAt.
type Message struct {
	BizID        string            `json:"biz_id"`
	RequestID    string            `json:"request_id"`
	Action       string            `json:"action"` // SendSms or SendBatchSms
	AccessKeyID  string            `json:"access_key_id"`
	Phone        string            `json:"phone"` // normalised: 11 digits for mainland numbers
	SignName     string            `json:"sign_name"`
	TemplateCode string            `json:"template_code"`
	Params       map[string]string `json:"params"`
	Content      string            `json:"content"` // 【sign】rendered template
	OutID        string            `json:"out_id,omitempty"`
	UpExtendCode string            `json:"sms_up_extend_code,omitempty"`
	AcceptedAt   time.Time         `json:"time"`
	Status       DeliveryStatus    `json:"send_status"`
	ErrCode      string            `json:"err_code"`              // "DELIVERED" once delivered
	ReceivedAt   time.Time         `json:"receive_time,omitzero"` // zero while waiting
}

// errCodeDelivered and errCodeFailed are the receipt codes QuerySendDetails
// and SmsReport carry.
const (
	errCodeDelivered = "DELIVERED"
	errCodeFailed    = "MK:0001"
)

// settle decides the delivery outcome of a freshly accepted message.
func (m *Message) settle() {
	status, ok := magicDelivery(m.Phone)
	if !ok {
		status = StatusDelivered
	}
	m.Status = status
	switch status {
	case StatusDelivered:
		m.ErrCode = errCodeDelivered
		m.ReceivedAt = m.AcceptedAt.Add(time.Second)
	case StatusFailed:
		m.ErrCode = errCodeFailed
		m.ReceivedAt = m.AcceptedAt.Add(time.Second)
	}
}

func (m Message) clone() Message {
	p := make(map[string]string, len(m.Params))
	for k, v := range m.Params {
		p[k] = v
	}
	m.Params = p
	return m
}

// Stats counts what the emulator saw since the last Reset.
type Stats struct {
	// Requests counts every API request per action, refused and faulted
	// ones included ("" for a request whose action could not be read).
	Requests map[string]int `json:"requests"`
	// Outcomes counts answers per Code ("OK", "isv.MOBILE_NUMBER_ILLEGAL",
	// "SignatureDoesNotMatch", "ServiceUnavailable", ...); a connection reset
	// counts as "reset".
	Outcomes map[string]int `json:"outcomes"`
	// AcceptedRequests counts requests answered OK (or reset after
	// acceptance) per action.
	AcceptedRequests map[string]int `json:"accepted_requests"`
	// Accepted counts accepted messages (one per phone number).
	Accepted int `json:"accepted"`
}

func newStats() Stats {
	return Stats{Requests: map[string]int{}, Outcomes: map[string]int{}, AcceptedRequests: map[string]int{}}
}

func (s Stats) clone() Stats {
	c := newStats()
	for k, v := range s.Requests {
		c.Requests[k] = v
	}
	for k, v := range s.Outcomes {
		c.Outcomes[k] = v
	}
	for k, v := range s.AcceptedRequests {
		c.AcceptedRequests[k] = v
	}
	c.Accepted = s.Accepted
	return c
}
