package slsclient

import (
	"errors"
	"fmt"
	"strings"

	sls "github.com/aliyun/aliyun-log-go-sdk"
)

// Describe is err's text with the SDK's errors on one line. The SDK prints
// its *Error and *BadResponseError as indented JSON (a response's headers
// included), which a terminal shows as a block and a log field as a blob:
// here they read "LogStoreNotExist: logstore sms does not exist (HTTP 404,
// request 5F…)", and a bad response's body is cut to 200 bytes.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if e := asError(err); e != nil {
		s = strings.Replace(s, e.Error(), fmt.Sprintf("%s: %s (HTTP %d, request %s)", e.Code, e.Message, e.HTTPCode, orNone(e.RequestID)), 1)
	}
	var b *sls.BadResponseError
	if errors.As(err, &b) {
		body := b.RespBody
		if len(body) > 200 {
			body = body[:200] + "…"
		}
		s = strings.Replace(s, b.Error(), fmt.Sprintf("unreadable answer (HTTP %d): %s: %q", b.HTTPCode, b.ErrorMessage, body), 1)
	}
	return s
}

// asError finds the SDK's *Error, which it returns by pointer and, in a
// few paths, by value.
func asError(err error) *sls.Error {
	var p *sls.Error
	if errors.As(err, &p) {
		return p
	}
	var v sls.Error
	if errors.As(err, &v) {
		return &v
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "id none"
	}
	return s
}
