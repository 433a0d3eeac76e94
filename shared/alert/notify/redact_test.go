package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A failing robot must not leak its token into the error, which is logged
// and stored in the state log.
func TestFailuresDoNotLeakRobotTokens(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	base := down.URL
	down.Close() // connection refused from now on
	const token = "tok3n-s3cret"
	client := &http.Client{Timeout: 2 * time.Second}
	channels := map[string]Channel{
		"dingtalk": &DingTalk{URL: base + "/robot/send?access_token=" + token, Secret: "SECx", Client: client},
		"wecom":    &WeCom{URL: base + "/cgi-bin/webhook/send?key=" + token, Client: client},
		"lark":     &Lark{URL: base + "/open-apis/bot/v2/hook/" + token, Client: client},
		"webhook":  &Webhook{URL: base + "/hook?sig=" + token, Client: client},
	}
	for name, ch := range channels {
		err := ch.Send(context.Background(), Message{Title: "t", Text: "x"})
		if err == nil {
			t.Fatalf("%s: sent to a closed port", name)
		}
		if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "connect") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
