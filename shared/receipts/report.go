package receipts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"smsflow/shared/phone"
)

// Report is one delivery receipt, validated. The phone number is kept as a
// phone.Number, which prints masked: a Report can slip into a log line
// without leaking the number.
type Report struct {
	Phone      phone.Number
	SendTime   time.Time
	ReportTime time.Time
	Success    bool
	// ErrCode is Alibaba's err_code: DELIVERED on success, else the
	// operator's code (MK:0001, ...).
	ErrCode string
	ErrMsg  string
	// SMSSize is how many parts the message took; Alibaba sends one
	// receipt per part.
	SMSSize int
	BizID   string
	// OutID is the out_id as echoed: our link token plus the caller's
	// out_id (sms.ParseOutID separates them).
	OutID string
}

// TimeToDelivery is report_time − send_time, never negative (operator and
// Alibaba clocks differ by a second now and then).
func (r Report) TimeToDelivery() time.Duration {
	return max(r.ReportTime.Sub(r.SendTime), 0)
}

// chinaTime is UTC+8 without daylight saving: Alibaba writes receipt times
// in Beijing time. A fixed zone needs no tzdata in the function's image.
var chinaTime = time.FixedZone("CST", 8*3600)

// alibabaLayout is how SmsReport writes times: "yyyy-MM-dd HH:mm:ss".
const alibabaLayout = "2006-01-02 15:04:05"

// ParseAlibabaTime reads a receipt time, Beijing time.
func ParseAlibabaTime(s string) (time.Time, error) {
	return time.ParseInLocation(alibabaLayout, strings.TrimSpace(s), chinaTime)
}

// FormatAlibabaTime writes t the way SmsReport does.
func FormatAlibabaTime(t time.Time) string { return t.In(chinaTime).Format(alibabaLayout) }

// ParseError says which receipt of a push and which field is wrong. It
// never quotes a value: the value may be a phone number.
type ParseError struct {
	Index  int // 0-based position in the push; -1 for the body as a whole
	Field  string
	Reason string
}

func (e *ParseError) Error() string {
	switch {
	case e.Index < 0 && e.Field == "":
		return e.Reason
	case e.Index < 0:
		return fmt.Sprintf("field %s: %s", e.Field, e.Reason)
	case e.Field == "":
		return fmt.Sprintf("receipt %d: %s", e.Index, e.Reason)
	}
	return fmt.Sprintf("receipt %d: field %s: %s", e.Index, e.Field, e.Reason)
}

// wireReport is SmsReport as JSON. Pointers tell a missing field from an
// empty one; success and sms_size are raw because Alibaba's documents show
// them both as JSON literals and as strings.
type wireReport struct {
	PhoneNumber *string         `json:"phone_number"`
	SendTime    *string         `json:"send_time"`
	ReportTime  *string         `json:"report_time"`
	Success     json.RawMessage `json:"success"`
	ErrCode     string          `json:"err_code"`
	ErrMsg      string          `json:"err_msg"`
	SMSSize     json.RawMessage `json:"sms_size"`
	BizID       *string         `json:"biz_id"`
	OutID       string          `json:"out_id"`
}

// ParsePush reads an HTTP push: a JSON array of receipts. It is all or
// nothing: one bad receipt refuses the push, so a re-push never records
// half of it twice.
func ParsePush(body []byte) ([]Report, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, &ParseError{Index: -1, Reason: "the body must be a JSON array of receipts (SmsReport)"}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, &ParseError{Index: -1, Reason: "the body is not valid JSON: " + jsonReason(err)}
	}
	out := make([]Report, 0, len(raw))
	for i, item := range raw {
		r, err := parseOne(i, item)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseOne(i int, item []byte) (Report, error) {
	bad := func(field, reason string) (Report, error) {
		return Report{}, &ParseError{Index: i, Field: field, Reason: reason}
	}
	if t := bytes.TrimSpace(item); len(t) == 0 || t[0] != '{' {
		return bad("", "a receipt must be a JSON object")
	}
	var w wireReport
	if err := json.Unmarshal(item, &w); err != nil {
		return bad("", "not a receipt object: "+jsonReason(err))
	}
	var r Report
	var err error
	if w.PhoneNumber == nil || *w.PhoneNumber == "" {
		return bad("phone_number", "missing")
	}
	if r.Phone, err = receiptPhone(*w.PhoneNumber); err != nil {
		return bad("phone_number", "not a phone number")
	}
	if w.BizID == nil || strings.TrimSpace(*w.BizID) == "" {
		return bad("biz_id", "missing")
	}
	if r.BizID = strings.TrimSpace(*w.BizID); len(r.BizID) > 64 {
		return bad("biz_id", "longer than 64 characters")
	}
	for _, t := range []struct {
		name string
		raw  *string
		dst  *time.Time
	}{{"send_time", w.SendTime, &r.SendTime}, {"report_time", w.ReportTime, &r.ReportTime}} {
		if t.raw == nil || *t.raw == "" {
			return bad(t.name, "missing")
		}
		if *t.dst, err = ParseAlibabaTime(*t.raw); err != nil {
			return bad(t.name, "not yyyy-MM-dd HH:mm:ss")
		}
	}
	if r.Success, err = parseBool(w.Success); err != nil {
		return bad("success", err.Error())
	}
	if r.SMSSize, err = parseSize(w.SMSSize); err != nil {
		return bad("sms_size", err.Error())
	}
	r.ErrCode, r.ErrMsg, r.OutID = strings.TrimSpace(w.ErrCode), w.ErrMsg, w.OutID
	if r.ErrCode == "" && r.Success {
		r.ErrCode = "DELIVERED"
	}
	if utf8.RuneCountInString(r.OutID) > 255 || utf8.RuneCountInString(r.ErrCode) > maxErrCodeRunes || utf8.RuneCountInString(r.ErrMsg) > maxErrMsgRunes {
		return bad("", "out_id, err_code or err_msg is longer than Alibaba ever sends")
	}
	return r, nil
}

// receiptPhone reads Alibaba's form of a number: mainland numbers bare,
// others as country code + digits without "+". A bare number starting with
// 1 that is not mainland is a NANP number here (+1...), which a caller would
// have had to write with "+".
func receiptPhone(raw string) (phone.Number, error) {
	n, err := phone.Normalize(raw)
	if err != nil && !strings.HasPrefix(strings.TrimSpace(raw), "+") {
		return phone.Normalize("+" + strings.TrimSpace(raw))
	}
	return n, err
}

// parseBool reads success: true, false, "true" or "false"; it is required,
// because guessing would turn an unknown outcome into a delivery.
func parseBool(raw json.RawMessage) (bool, error) {
	switch strings.Trim(strings.ToLower(strings.TrimSpace(string(raw))), `"`) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "", "null":
		return false, fmt.Errorf("missing")
	}
	return false, fmt.Errorf("must be true or false")
}

// parseSize reads sms_size: "1", 1, or absent (one part).
func parseSize(raw json.RawMessage) (int, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 {
		return 0, fmt.Errorf("must be a whole number of parts, 1 to 255")
	}
	return n, nil
}

// jsonReason keeps the position of a JSON error without echoing input.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("field %s has the wrong type (%s)", typ.Field, typ.Value)
	}
	return "unreadable JSON"
}

// The longest err_code and err_msg Alibaba sends in a receipt (longer is
// refused as not Alibaba's, report above; Tencent's are cut to them).
const (
	maxErrCodeRunes = 64
	maxErrMsgRunes  = 256
)

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}
