package sms

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/shared/netx"
)

var noon = time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC) // 12:00 in Shanghai

// conformance: DY-01, DY-07, DY-09
func TestClassifyAnswers(t *testing.T) {
	cases := []struct {
		code, message string
		httpStatus    int
		status        Status
		class         Class
		retryAfter    time.Duration
	}{
		{"OK", "OK", 200, StatusAccepted, ClassNone, 0},
		{"isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", 200, StatusRejected, ClassCaller, 0},
		{"isv.TEMPLATE_MISSING_PARAMETERS", "", 200, StatusRejected, ClassCaller, 0},
		{"isv.SMS_SIGNATURE_ILLEGAL", "", 200, StatusRejected, ClassCaller, 0},
		{"isv.SOMETHING_NEW", "", 200, StatusRejected, ClassCaller, 0},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1", 200, StatusThrottled, ClassFlowControl, time.Minute},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5", 200, StatusThrottled, ClassFlowControl, time.Hour},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10", 200, StatusThrottled, ClassFlowControl, 12 * time.Hour},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:40", 200, StatusThrottled, ClassFlowControl, 12 * time.Hour},
		{"Throttling.Api", "", 400, StatusThrottled, ClassThrottling, time.Second},
		{"isp.SYSTEM_ERROR", "", 200, StatusFailed, ClassTransient, 0},
		{"ServiceUnavailable", "", 503, StatusFailed, ClassTransient, 0},
		{"SignatureNonceUsed", "", 400, StatusUnknown, ClassAmbiguous, 0},
		{"InternalError", "", 500, StatusFailed, ClassTransient, 0},
		{"GatewayTimeout", "", 504, StatusUnknown, ClassAmbiguous, 0},
		{"BadGateway", "", 502, StatusUnknown, ClassAmbiguous, 0},
		// A gateway's status settles it whatever the body's code says: the
		// request may have reached Dysmsapi (issue 10.8).
		{"ServiceUnavailable", "", 504, StatusUnknown, ClassAmbiguous, 0},
		{"isp.SYSTEM_ERROR", "", 502, StatusUnknown, ClassAmbiguous, 0},
		{"isp.SYSTEM_ERROR", "", 504, StatusUnknown, ClassAmbiguous, 0},
		{"Throttling.Api", "", 502, StatusUnknown, ClassAmbiguous, 0},
		{"isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1", 504, StatusUnknown, ClassAmbiguous, 0},
		{"isv.MOBILE_NUMBER_ILLEGAL", "", 502, StatusUnknown, ClassAmbiguous, 0},
		{"SignatureDoesNotMatch", "", 504, StatusUnknown, ClassAmbiguous, 0},
		{"OK", "", 502, StatusUnknown, ClassAmbiguous, 0},
		{"isp.SYSTEM_ERROR", "", 499, StatusUnknown, ClassAmbiguous, 0},
		{"ServiceUnavailable", "", 522, StatusUnknown, ClassAmbiguous, 0},
		// "OK" in an error answer is no acceptance (no BizId).
		{"OK", "", 500, StatusFailed, ClassTransient, 0},
		{"OK", "", 400, StatusFailed, ClassUpstream, 0},
		{"isv.AMOUNT_NOT_ENOUGH", "", 200, StatusFailed, ClassAccount, 0},
		{"isp.RAM_PERMISSION_DENY", "", 200, StatusFailed, ClassCredentials, 0},
		{"SignatureDoesNotMatch", "", 400, StatusFailed, ClassCredentials, 0},
		{"InvalidAccessKeyId.NotFound", "", 404, StatusFailed, ClassCredentials, 0},
		{"InvalidSecurityToken.Expired", "", 400, StatusFailed, ClassCredentials, 0},
		{"WhoKnows", "", 400, StatusFailed, ClassUpstream, 0},
	}
	for _, c := range cases {
		o := Classify(c.code, c.message, "RID", "BIZ", c.httpStatus, nil, noon)
		if o.Status != c.status || o.Class != c.class || o.RetryAfter != c.retryAfter {
			t.Errorf("%s (%d): got %s/%s/%s, want %s/%s/%s", c.code, c.httpStatus, o.Status, o.Class, o.RetryAfter, c.status, c.class, c.retryAfter)
		}
		if (o.BizID != "") != (c.status == StatusAccepted) {
			t.Errorf("%s: BizID %q on status %s", c.code, o.BizID, o.Status)
		}
	}
}

// conformance: DY-08
func TestClassifySDKErrorReadsBody(t *testing.T) {
	err := tea.NewSDKError(map[string]interface{}{
		"code":       "Throttling.User",
		"message":    "code: 400, Request was denied due to user flow control. request id: R1",
		"statusCode": 400,
		"data":       map[string]interface{}{"Code": "Throttling.User", "Message": "Request was denied", "RequestId": "R1"},
	})
	o := Classify("", "", "", "", 0, err, noon)
	if o.Status != StatusThrottled || o.Code != "Throttling.User" || o.RequestID != "R1" || o.HTTPStatus != 400 || !o.Retryable() {
		t.Fatalf("got %+v", o)
	}
}

// conformance: DY-09
func TestClassifyTransportErrors(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/?PhoneNumbers=13800138000&TemplateParam=%7B%22code%22%3A%22123456%22%7D",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	reset := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/?PhoneNumbers=13800138000",
		Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}
	timeout := &url.Error{Op: "Post", URL: "http://x/", Err: errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")}
	cases := []struct {
		err    error
		status Status
		class  Class
	}{
		{dial, StatusFailed, ClassTransient},
		{&net.DNSError{Err: "no such host", Name: "dysmsapi.aliyuncs.com"}, StatusFailed, ClassTransient},
		{&url.Error{Op: "parse", URL: "http://127.0.0.1:1 /?PhoneNumbers=13800138000", Err: errors.New(`invalid port ":1 " after host`)}, StatusFailed, ClassTransient},
		{reset, StatusUnknown, ClassAmbiguous},
		{timeout, StatusUnknown, ClassAmbiguous},
		{fmt.Errorf("invalid character '<' looking for beginning of value"), StatusUnknown, ClassAmbiguous},
		// The SDK panicked on the call's goroutine: before or after the
		// request left, nobody knows.
		{&netx.PanicError{Value: "assignment to entry in nil map"}, StatusUnknown, ClassAmbiguous},
	}
	for _, c := range cases {
		o := Classify("", "", "", "", 0, c.err, noon)
		if o.Status != c.status || o.Class != c.class {
			t.Errorf("%v: got %s/%s, want %s/%s", c.err, o.Status, o.Class, c.status, c.class)
		}
		if strings.Contains(o.Detail, "13800138000") || strings.Contains(o.Detail, "123456") {
			t.Errorf("detail leaks the request: %q", o.Detail)
		}
	}
	if o := Classify("", "", "", "", 0, reset, noon); o.Retryable() {
		t.Error("an ambiguous reset is retryable")
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	for n := 1; n <= 4; n++ {
		d := 100 * time.Millisecond << (n - 1)
		for i := 0; i < 50; i++ {
			b := backoff(100*time.Millisecond, n)
			if b < d/2 || b > d {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s]", n, b, d/2, d)
			}
		}
	}
}

// A bad first delay never panics the sender (rand.N panics on a bound that
// is not positive): a negative one means no wait, a huge one saturates
// instead of overflowing into a negative bound. config.Dysms.Validate
// refuses both at start; this is the sender's own guard.
func TestBackoffNeverPanicsOnABadDelay(t *testing.T) {
	for n := 1; n <= 10; n++ {
		if b := backoff(-100*time.Millisecond, n); b != 0 {
			t.Errorf("backoff(-100ms, %d) = %s, want 0", n, b)
		}
		if b := backoff(0, n); b != 0 {
			t.Errorf("backoff(0, %d) = %s, want 0", n, b)
		}
		if b := backoff(time.Duration(math.MaxInt64/3), n); b <= 0 {
			t.Errorf("backoff(max/3, %d) = %s, want positive", n, b)
		}
	}
}
