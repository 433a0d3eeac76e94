package receipts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"smsflow/shared/obs"
	"smsflow/shared/trace"
)

// mnsBatch is what EventBridge hands the function for an MNS queue source.
func mnsBatch(bodies ...string) []byte {
	var evs []map[string]any
	for i, b := range bodies {
		evs = append(evs, map[string]any{"id": "ev", "source": "MNS-receipts-sms-report", "specversion": "1.0",
			"type": "mns:Queue:SendMessage", "data": map[string]any{"requestId": "R", "messageId": "M" + string(rune('0'+i)), "messageBody": b}})
	}
	raw, _ := json.Marshal(evs)
	return raw
}

func TestQueueReceiptsAreRecordedAndPoisonIsSkipped(t *testing.T) {
	f := newFixture(t)
	send := trace.NewRoot()
	good := receiptFor(send, "order-9", "13800138000", false, "MK:0001", "2026-11-27 20:00:03")
	ctx := obs.NewBatch(context.Background())
	n, err := f.recv.HandleEvents(ctx, mnsBatch(good, "not a receipt", base64.StdEncoding.EncodeToString([]byte(good))))
	if err != nil || n != 1 {
		t.Fatalf("HandleEvents: %d %v, want 1 receipt (the base64 copy is the same receipt)", n, err)
	}
	got := f.out.events(t, obs.EventReceipt)
	if len(got) != 1 || got[0][obs.KeyTraceID] != send.TraceIDString() || got[0][obs.KeyReceiptSource] != SourceMNS ||
		got[0][obs.KeyMessageID] != "M0" || got[0][obs.KeyStatus] != "failed" || got[0][obs.KeyOutID] != "order-9" {
		t.Errorf("receipts %v", got)
	}
	rejected := f.out.events(t, obs.EventReceiptRejected)
	if len(rejected) != 1 || rejected[0][obs.KeyMessageID] != "M1" || rejected[0][obs.KeyReceiptSource] != SourceMNS {
		t.Errorf("rejections %v", rejected)
	}
}

func TestQueueReceiptsNotStoredFailTheInvocation(t *testing.T) {
	f := newFixture(t)
	f.failing = true
	good := receiptFor(trace.NewRoot(), "", "13800138000", true, "DELIVERED", "2026-11-27 20:00:03")
	if _, err := f.recv.HandleEvents(obs.NewBatch(context.Background()), mnsBatch(good)); err == nil {
		t.Fatal("want an error, so EventBridge delivers the batch again")
	}
	// A payload that is no batch at all cannot get better by retrying.
	if _, err := f.recv.HandleEvents(obs.NewBatch(context.Background()), []byte(`[{"data":7}]`)); err != nil {
		t.Errorf("malformed batch: %v, want it logged and dropped", err)
	}
}
