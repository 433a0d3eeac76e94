package fcrt

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/sts"
	"smsflow/local/testkit"
)

var localSigner = testkit.Signer{ID: sts.LocalAccessKeyID, Secret: sts.LocalAccessKeySecret}

// conformance: AUTH-02, AUTH-05
func TestFunctionAuthTriggerRunsASignedCall(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{Auth: AuthFunction})
	addr := strings.TrimPrefix(srv.URL, "http://")
	cred := sts.Issue(time.Hour)
	for _, s := range []testkit.Signer{localSigner, {ID: cred.AccessKeyID, Secret: cred.AccessKeySecret, Token: cred.SecurityToken}} {
		res, err := testkit.SignedPost(addr, "/v1/messages", s, map[string]any{"hello": "world"}, nil)
		if err != nil {
			t.Fatalf("signed call by %s: %v", s.ID, err)
		}
		if fmt.Sprint(res["statusCode"]) != "201" {
			t.Fatalf("signed call: %v", res)
		}
		raw, _ := json.Marshal(res["body"])
		echo := decode[httpEchoReply](t, raw)
		// The function gets the request as sent, Authorization included
		// (conformance: AUTH-05).
		if !strings.HasPrefix(echo.RawEvent.Headers["Authorization"], "ACS3-HMAC-SHA256 Credential="+s.ID+",") {
			t.Errorf("the function saw Authorization %q", echo.RawEvent.Headers["Authorization"])
		}
	}
}

// conformance: AUTH-03
func TestFunctionAuthTriggerRefusesBearerMissingAndBadSignatures(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{Auth: AuthFunction})
	addr := strings.TrimPrefix(srv.URL, "http://")
	cases := map[string]string{
		"none":             "",
		"bearer":           "Bearer smsflow-local-token",
		"FC 2.0 signature": "FC smsflow-local-id:c2lnbmF0dXJl",
		"ACS3, incomplete": "ACS3-HMAC-SHA256 Credential=smsflow-local-id",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			resp, body := do(t, req)
			wantFCRefusal(t, resp, body, "AccessDenied")
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		_, err := testkit.SignedPost(addr, "/v1/messages", testkit.Signer{ID: sts.LocalAccessKeyID, Secret: "guess"}, map[string]any{}, nil)
		wantSDKRefusal(t, err, "SignatureNotMatch")
	})
	t.Run("unknown access key", func(t *testing.T) {
		_, err := testkit.SignedPost(addr, "/v1/messages", testkit.Signer{ID: "LTAIunknown", Secret: "x"}, map[string]any{}, nil)
		wantSDKRefusal(t, err, "InvalidAccessKeyID")
	})
}

// An anonymous trigger (the default) lets any request reach the function.
func TestAnonymousTriggerPassesBearerThrough(t *testing.T) {
	srv := startGateway(t, testFunction(t), GatewayConfig{})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/messages", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer t")
	resp, body := do(t, req)
	if resp.StatusCode != 201 || decode[httpEchoReply](t, body).RawEvent.Headers["Authorization"] != "Bearer t" {
		t.Fatalf("anonymous trigger: %d %s", resp.StatusCode, body)
	}
}

func wantFCRefusal(t *testing.T, resp *http.Response, body []byte, code string) {
	t.Helper()
	var e struct{ ErrorCode, ErrorMessage string }
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != http.StatusForbidden || e.ErrorCode != code || resp.Header.Get("X-Fc-Error-Type") != "FcCommonError" {
		t.Fatalf("got %d %s (%v), want 403 %s from FC, not from the function", resp.StatusCode, body, resp.Header, code)
	}
}

func wantSDKRefusal(t *testing.T, err error, code string) {
	t.Helper()
	var e *tea.SDKError
	if !errors.As(err, &e) || tea.IntValue(e.StatusCode) != http.StatusForbidden {
		t.Fatalf("want a 403 SDK error, got %v", err)
	}
	if data := tea.StringValue(e.Data); !strings.Contains(data, `"errorCode":"`+code+`"`) {
		t.Fatalf("want errorCode %s, got %s", code, data)
	}
}
