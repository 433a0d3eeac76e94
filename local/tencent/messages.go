package tencent

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Message is one accepted SMS (one per number of an accepted SendSms).
type Message struct {
	SerialNo         string    `json:"serial_no"`
	RequestID        string    `json:"request_id"`
	SecretID         string    `json:"secret_id"`
	PhoneNumber      string    `json:"phone_number"` // E.164
	SmsSdkAppID      string    `json:"sms_sdk_app_id"`
	SignName         string    `json:"sign_name"`
	TemplateID       string    `json:"template_id"`
	TemplateParamSet []string  `json:"template_param_set"`
	Content          string    `json:"content"` // 【sign】rendered template
	SessionContext   string    `json:"session_context,omitempty"`
	AcceptedAt       time.Time `json:"time"`
	// ReportStatus is "" until the receipt comes, then SUCCESS or FAIL.
	ReportStatus string `json:"report_status,omitempty"`
}

// render fills {1}, {2}, ... with the positional parameters.
func render(sign string, t Template, params []string) string {
	text := t.Text
	for i, p := range params {
		text = strings.ReplaceAll(text, "{"+strconv.Itoa(i+1)+"}", p)
	}
	return "【" + sign + "】" + text
}

// newRequestID answers a lower-case UUID, as Tencent's RequestId is.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newSerialNo answers a SerialNo shaped like Tencent's
// ("2640:336712391916217062414631681").
func newSerialNo() string {
	n, _ := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil))
	return fmt.Sprintf("2640:%027d", n)
}
