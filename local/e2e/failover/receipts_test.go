package failover

import (
	"testing"
	"time"

	"smsflow/local/dysms"
)

// Receipts from both providers join one trace: a caller continues its
// trace over two requests, the first sent by Alibaba, the second failed
// over to Tencent during an outage. Alibaba's receipt joins through
// out_id, Tencent's through the SessionContext its send left under the
// SerialNo (Tencent's callback carries only the SerialNo).
// conformance: TC-09
func TestReceiptsFromBothProvidersInOneTrace(t *testing.T) {
	s := shared
	reset(s)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	parent := "00-" + traceID + "-00f067aa0ba902b7-01"
	if r := send(t, s, otp("13712410001"), "traceparent", parent); r.Status != 200 || r.str("provider") != "alibaba" {
		t.Fatalf("first: %d %s", r.Status, r.Raw)
	}
	s.Dysms.SetFault(dysms.Fault{Kind: dysms.FaultHTTP503})
	r := send(t, s, otp("13712410002"), "traceparent", parent)
	s.Dysms.ClearFaults()
	if r.Status != 200 || r.str("provider") != "tencent" {
		t.Fatalf("second: %d %s", r.Status, r.Raw)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		byProvider := map[string]map[string]string{}
		var failover map[string]string
		for _, e := range eventsOf(t, s, traceID) {
			switch e["event"] {
			case "sms.receipt":
				byProvider[e["provider"]] = e
			case "sms.failover":
				failover = e
			}
		}
		if len(byProvider) == 2 && failover != nil {
			tc := byProvider["tencent"]
			if tc["joined_by"] != "session_context" || tc["biz_id"] != r.str("message_id") || tc["delivered"] != "true" ||
				tc["receipt_source"] != "tencent_push" {
				t.Errorf("Tencent receipt %v", tc)
			}
			if al := byProvider["alibaba"]; al["joined_by"] != "out_id" {
				t.Errorf("Alibaba receipt %v", al)
			}
			if failover["provider"] != "tencent" || failover["failover_from"] != "alibaba" {
				t.Errorf("failover event %v", failover)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipts in the trace by provider: %v; failover event %v", byProvider, failover)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
