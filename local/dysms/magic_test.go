package dysms

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
)

// Every reserved number, through the SDK, as the docs table promises.
func TestMagicNumbers(t *testing.T) {
	s, addr := startEmulator(t, Options{MagicLatency: 400 * time.Millisecond})
	client := sdkClient(t, addr, localPair, 5000)
	gateway := map[string][2]any{
		"13800000001": {500, "InternalError"},
		"13800000002": {503, "ServiceUnavailable"},
		"13800000004": {400, "Throttling.Api"},
		"13800000005": {400, "Throttling.User"},
	}
	for phone, want := range gateway {
		_, err := client.SendSms(otpRequest(phone, "4821"))
		wantGatewayError(t, err, want[0].(int), want[1].(string))
	}
	for phone, code := range map[string]string{"13800000003": "isp.SYSTEM_ERROR", "13800000006": "isv.BUSINESS_LIMIT_CONTROL"} {
		resp, err := client.SendSms(otpRequest(phone, "4821"))
		if err != nil || tea.StringValue(resp.Body.Code) != code {
			t.Errorf("%s: %v %v, want %s", phone, err, resp, code)
		}
	}
	_, err := client.SendSms(otpRequest("13800000007", "4821"))
	wantReset(t, err)
	if len(s.Messages()) != 0 {
		t.Fatalf("refusals and a before-read reset accepted messages: %+v", s.Messages())
	}
	_, err = client.SendSms(otpRequest("13800000008", "4821"))
	wantReset(t, err)
	if got := s.Messages(); len(got) != 1 || got[0].Phone != "13800000008" {
		t.Fatalf("after-accept reset must record the message: %+v", got)
	}
	start := time.Now()
	resp, err := client.SendSms(otpRequest("13800000009", "4821"))
	if took := time.Since(start); err != nil || tea.StringValue(resp.Body.Code) != "OK" || took < 400*time.Millisecond {
		t.Errorf("latency number: %v after %s, want OK after >= 400ms", err, took)
	}
	// The same reserved numbers behave the same way every time.
	_, err = client.SendSms(otpRequest("+8613800000002", "4821"))
	wantGatewayError(t, err, 503, "ServiceUnavailable")
}

func TestMagicFirstOnlyNumbers(t *testing.T) {
	s, addr := startEmulator(t, Options{MagicLatency: 300 * time.Millisecond})
	client := sdkClient(t, addr, localPair, 5000)
	_, err := client.SendSms(otpRequest("13800000012", "4821"))
	wantGatewayError(t, err, 503, "ServiceUnavailable")
	if resp, err := client.SendSms(otpRequest("13800000012", "4821")); err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("13800000012 second try: %v %v", err, resp)
	}

	_, err = client.SendSms(otpRequest("13800000013", "4821"))
	wantReset(t, err)
	// A retry of the same code within the minute meets flow control: the
	// first one WAS sent. That is exactly what a blind retry looks like.
	resp, err := client.SendSms(otpRequest("13800000013", "4821"))
	if err != nil || tea.StringValue(resp.Body.Code) != "isv.BUSINESS_LIMIT_CONTROL" {
		t.Fatalf("13800000013 retry: %v %v", err, resp)
	}

	fast := sdkClient(t, addr, localPair, 100)
	_, err = fast.SendSms(otpRequest("13800000014", "4821"))
	wantConnectionError(t, err)
	time.Sleep(350 * time.Millisecond) // let the slow answer finish
	s.Reset()
	_, err = client.SendSms(otpRequest("13800000012", "4821"))
	wantGatewayError(t, err, 503, "ServiceUnavailable") // Reset re-arms first-only numbers
}

// conformance: DY-13
func TestMagicDeliveryOutcomesInQuerySendDetails(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	client := sdkClient(t, addr, localPair, 5000)
	for phone, want := range map[string]struct {
		status  int64
		errCode string
		receive bool
	}{
		"13800000010": {2, "MK:0001", true},
		"13800000011": {1, "", false},
		"13912345678": {3, "DELIVERED", true},
	} {
		if resp, err := client.SendSms(otpRequest(phone, "4821")); err != nil || tea.StringValue(resp.Body.Code) != "OK" {
			t.Fatalf("send to %s: %v %v", phone, err, resp)
		}
		q, err := client.QuerySendDetails(queryToday(phone))
		if err != nil || tea.StringValue(q.Body.Code) != "OK" {
			t.Fatalf("query %s: %v %v", phone, err, q)
		}
		dtos := q.Body.SmsSendDetailDTOs.SmsSendDetailDTO
		if len(dtos) != 1 {
			t.Fatalf("query %s: %d details", phone, len(dtos))
		}
		d := dtos[0]
		if tea.Int64Value(d.SendStatus) != want.status || tea.StringValue(d.ErrCode) != want.errCode ||
			(tea.StringValue(d.ReceiveDate) != "") != want.receive {
			t.Errorf("%s: status %d errcode %q receive %q, want %+v", phone,
				tea.Int64Value(d.SendStatus), tea.StringValue(d.ErrCode), tea.StringValue(d.ReceiveDate), want)
		}
	}
}

// The documented table and the code must list the same reserved numbers.
func TestMagicNumbersMatchTheDocs(t *testing.T) {
	raw, err := os.ReadFile("../../docs/local-dysms.md")
	if err != nil {
		t.Fatalf("docs/local-dysms.md must document the magic numbers: %v", err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if m := regexp.MustCompile(`^\| (1380000\d{4}) \|`).FindStringSubmatch(line); m != nil {
			documented[m[1]] = true
		}
	}
	for n := range magicNumbers {
		if !documented[n] {
			t.Errorf("%s is reserved in code but missing from docs/local-dysms.md", n)
		}
	}
	for n := range documented {
		if _, ok := magicNumbers[n]; !ok {
			t.Errorf("%s is documented but not reserved in code", n)
		}
	}
}
