// Command signedcall sends one SMS through smsflow's send function behind
// an HTTP trigger with authType: function. The Alibaba Cloud SDK's generic
// CallApi signs the request with ACS3-HMAC-SHA256, which FC's gateway
// checks before the function runs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
)

func main() {
	endpoint := flag.String("endpoint", "127.0.0.1:9001", "the trigger's host[:port], no scheme")
	protocol := flag.String("protocol", "HTTP", "HTTPS for a deployed trigger")
	flag.Parse()
	client, err := openapi.NewClient(&openapi.Config{
		AccessKeyId:     tea.String(os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID")),
		AccessKeySecret: tea.String(os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")),
		SecurityToken:   tea.String(os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")), // empty unless STS
		Endpoint:        endpoint,
		Protocol:        protocol,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	headers := map[string]*string{}
	if key := os.Getenv("IDEMPOTENCY_KEY"); key != "" {
		headers["Idempotency-Key"] = tea.String(key) // at-most-once: README.md, Idempotency
	}
	res, err := client.CallApi(&openapi.Params{
		Action: tea.String("SendMessage"), Version: tea.String("v1"), // required by the SDK, ignored by FC
		Protocol: protocol, Method: tea.String("POST"), Pathname: tea.String("/v1/messages"),
		AuthType: tea.String("AK"), Style: tea.String("ROA"), ReqBodyType: tea.String("json"), BodyType: tea.String("json"),
	}, &openapi.OpenApiRequest{
		Headers: headers,
		Body: map[string]any{
			"phone_numbers": []string{"13900139000"}, "sign_name": "smsflow", // not Try it's number: one code a minute each
			"template_code": "SMS_LOCAL_OTP", "template_params": map[string]string{"code": "482913"},
		},
	}, &util.RuntimeOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // a refusal: *tea.SDKError with the status and the answer
		os.Exit(1)
	}
	out, _ := json.Marshal(res["body"])
	fmt.Println(string(out))
}
