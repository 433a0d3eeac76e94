package notify

import (
	"net/url"
	"testing"
	"time"
)

// The expected values were computed independently with Python's hmac
// module following each vendor's published sample code; the DingTalk one
// also matches the published test of the `dingding` crate
// (timestamp 1700000000000, secret "secret").
func TestDingTalkSign(t *testing.T) {
	got := DingTalkSign("secret", 1700000000000)
	if got != "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=" {
		t.Errorf("sign = %s", got)
	}
	if enc := url.QueryEscape(got); enc != "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D" {
		t.Errorf("url-encoded sign = %s", enc)
	}
	// The secret of DingTalk's own sample ("this is secret").
	if got := DingTalkSign("this is secret", 1577262236757); got != "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=" {
		t.Errorf("sign = %s", got)
	}
}

func TestLarkSign(t *testing.T) {
	// Lark signs an EMPTY message with key timestamp+"\n"+secret.
	if got := LarkSign("demo", 1599360473); got != "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=" {
		t.Errorf("sign = %s", got)
	}
	if got := LarkSign("secret", 1700000000); got != "fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA=" {
		t.Errorf("sign = %s", got)
	}
}

func TestWebhookSignature(t *testing.T) {
	body := []byte(`{"a":1}`)
	sig := WebhookSignature("s3cret", 1700000000, body)
	if sig != "sha256=1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940" {
		t.Errorf("signature = %s", sig)
	}
	now := time.Unix(1700000030, 0)
	if err := VerifyWebhook("s3cret", "1700000000", sig, body, now, time.Minute); err != nil {
		t.Errorf("valid signature rejected: %v", err)
	}
	for name, err := range map[string]error{
		"tampered body": VerifyWebhook("s3cret", "1700000000", sig, []byte(`{"a":2}`), now, time.Minute),
		"wrong secret":  VerifyWebhook("other", "1700000000", sig, body, now, time.Minute),
		"stale":         VerifyWebhook("s3cret", "1700000000", sig, body, now.Add(time.Hour), time.Minute),
		"no prefix":     VerifyWebhook("s3cret", "1700000000", sig[7:], body, now, time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
