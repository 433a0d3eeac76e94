package dysms

import (
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/sts"
)

// sdkClientV2 is the same unmodified SDK switched to the classic RPC
// signature (SignatureAlgorithm "v2": HMAC-SHA1 Signature parameter).
func sdkClientV2(t *testing.T, addr string, cred credential) *dysmsapi.Client {
	t.Helper()
	cfg := &openapi.Config{
		AccessKeyId: tea.String(cred.id), AccessKeySecret: tea.String(cred.secret),
		Endpoint: tea.String(addr), Protocol: tea.String("HTTP"), NoProxy: tea.String(addr),
		ReadTimeout: tea.Int(5000), ConnectTimeout: tea.Int(1000),
		SignatureAlgorithm: tea.String("v2"),
	}
	if cred.token != "" {
		cfg.SecurityToken = tea.String(cred.token)
	}
	c, err := dysmsapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// conformance: DY-04
func TestSDKWithRPCSignature(t *testing.T) {
	s, addr := startEmulator(t, Options{})
	for _, cred := range []credential{localPair, stsCredential(sts.Issue(time.Hour))} {
		client := sdkClientV2(t, addr, cred)
		resp, err := client.SendSms(otpRequest("13912345678", "4821"))
		if err != nil || tea.StringValue(resp.Body.Code) != "OK" {
			t.Fatalf("SendSms (RPC signature, %s): %v %v", cred.id, err, resp)
		}
		s.Reset() // flow control: same number again below
		batch, err := client.SendBatchSms(batchRequest(`["13912345678"]`, `["smsflow"]`, `[{"name":"a","status":"b"}]`))
		if err != nil || tea.StringValue(batch.Body.Code) != "OK" {
			t.Fatalf("SendBatchSms (RPC signature, form body): %v %v", err, batch)
		}
		q, err := client.QuerySendDetails(queryToday("13912345678"))
		if err != nil || tea.StringValue(q.Body.TotalCount) != "1" {
			t.Fatalf("QuerySendDetails (RPC signature): %v %v", err, q)
		}
		s.Reset()
	}
	_, err := sdkClientV2(t, addr, credential{localPair.id, "wrong", ""}).SendSms(otpRequest("13912345678", "4821"))
	wantGatewayError(t, err, 400, "SignatureDoesNotMatch")
}
