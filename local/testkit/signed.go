package testkit

import (
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
)

// Signer is who signs a SignedPost: an AccessKey pair, with the STS token
// when the pair is temporary.
type Signer struct{ ID, Secret, Token string }

// SignedPost is the official SDK's generic signed call (darabonba-openapi
// CallApi, ACS3-HMAC-SHA256) with a JSON body, as a caller of an FC HTTP
// trigger with authType: function makes it. addr is host:port (plain
// HTTP). It answers the SDK's result map ("statusCode", "headers",
// "body"); a 4xx/5xx answer is the SDK's *tea.SDKError.
func SignedPost(addr, path string, s Signer, body map[string]any, headers map[string]string) (map[string]any, error) {
	cfg := &openapi.Config{AccessKeyId: tea.String(s.ID), AccessKeySecret: tea.String(s.Secret),
		Endpoint: tea.String(addr), Protocol: tea.String("HTTP"), NoProxy: tea.String(addr),
		ConnectTimeout: tea.Int(2000), ReadTimeout: tea.Int(15000)}
	if s.Token != "" {
		cfg.SecurityToken = tea.String(s.Token)
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	// FC ignores Action and Version; the SDK requires them.
	params := &openapi.Params{Action: tea.String("SendMessage"), Version: tea.String("2026-12-02"),
		Protocol: tea.String("HTTP"), Pathname: tea.String(path), Method: tea.String("POST"),
		AuthType: tea.String("AK"), Style: tea.String("ROA"), ReqBodyType: tea.String("json"), BodyType: tea.String("json")}
	h := map[string]*string{}
	for k, v := range headers {
		h[k] = tea.String(v)
	}
	return c.CallApi(params, &openapi.OpenApiRequest{Body: body, Headers: h}, &util.RuntimeOptions{})
}
