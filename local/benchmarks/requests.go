package benchmarks

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/stack"
	"smsflow/local/sts"
)

// seq numbers every request of a run, so no two share a phone number or an
// Idempotency-Key: flow control and replays never enter the figures.
var seq atomic.Int64

func next() int { return int(seq.Add(1)) }

// number is request i's phone number; Dysmsapi's per-number limits are far
// above one request each.
func number(i int) string { return fmt.Sprintf("135%08d", i) }

func idemKey(i int) string { return fmt.Sprintf("bench-%d", i) }

// requestBody is a typical notification: one number, two parameters.
func requestBody(i int) string {
	return `{"phone_numbers":["` + number(i) + `"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"bench","status":"ok"}}`
}

// bareClient is the Dysmsapi SDK client as a caller without smsflow would
// set it up: the reference every send figure is read against.
func bareClient(addr string) (*dysmsapi.Client, error) {
	c := sts.Issue(time.Hour)
	return dysmsapi.NewClient(&openapi.Config{AccessKeyId: tea.String(c.AccessKeyID), AccessKeySecret: tea.String(c.AccessKeySecret),
		SecurityToken: tea.String(c.SecurityToken), Endpoint: tea.String(addr), Protocol: tea.String("HTTP"), NoProxy: tea.String(addr),
		ReadTimeout: tea.Int(5000), ConnectTimeout: tea.Int(1)})
}

func bareSend(c *dysmsapi.Client, i int) error {
	resp, err := c.SendSmsWithOptions(&dysmsapi.SendSmsRequest{PhoneNumbers: tea.String("136" + number(i)[3:]), SignName: tea.String("smsflow"),
		TemplateCode: tea.String("SMS_LOCAL_NOTICE"), TemplateParam: tea.String(`{"name":"bench","status":"ok"}`)}, &util.RuntimeOptions{})
	if err != nil {
		return err
	}
	if tea.StringValue(resp.Body.Code) != "OK" {
		return fmt.Errorf("bare SendSms: %s", tea.StringValue(resp.Body.Code))
	}
	return nil
}

// gatewaySend posts request i through the FC emulator's HTTP trigger.
func gatewaySend(url string, i int) error {
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/messages", strings.NewReader(requestBody(i)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
	req.Header.Set("Idempotency-Key", idemKey(i))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("send answered %d: %s", resp.StatusCode, b)
	}
	return nil
}
