package failover

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"smsflow/local/dysms"
)

// Event-triggered messages (the dispatch function) fail over the same way,
// and their idempotency (the queue message id) covers the pair too.
func TestDispatchFailsOverOnce(t *testing.T) {
	s := shared
	if s.QueueURL == "" {
		t.Skip("no dispatch function (no redis-server here)")
	}
	reset(s)
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	defer s.Dysms.ClearFaults()
	body := `[{"id":"FAILOVER-1","body":` + otp("13712430001") + `}]`
	for i := 0; i < 2; i++ { // the same message delivered twice
		resp, err := http.Post(s.QueueURL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Result struct {
				Counts map[string]int `json:"counts"`
			} `json:"result"`
		}
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		want := "sent"
		if i == 1 {
			want = "replayed"
		}
		if got.Result.Counts[want] != 1 {
			t.Errorf("delivery %d: counts %v, want %s", i+1, got.Result.Counts, want)
		}
	}
	if n := len(s.Tencent.Messages("+8613712430001")); n != 1 || len(s.Dysms.Messages()) != 0 {
		t.Fatalf("Tencent sent %d, Alibaba %d; want exactly one, by Tencent", n, len(s.Dysms.Messages()))
	}
}
