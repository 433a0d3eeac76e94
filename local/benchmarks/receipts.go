package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"smsflow/local/stack"
	"smsflow/shared/receipts"
)

func init() {
	Register(Section{Name: "receipts push: answer time against Alibaba's 700 ms", Order: 25, Run: receiptsAnswer})
}

// Pushes per round, and the batch sizes measured: Alibaba batches receipts
// into one push; 100 stands for a busy minute.
const (
	receiptPushesPerRound = 60
	receiptWarmPushes     = 10
	// Pushes per round while SLS stalls: each takes the whole budget.
	receiptStalledPushes = 8
)

var receiptBatchSizes = []int{1, 100}

// receiptsAnswer pushes receipts to the receipts function as Alibaba does
// (POST, a JSON array, through the emulated HTTP trigger) and times each
// answer: duplicate claims in Redis (when a redis-server is installed) and
// the synchronous SLS write included. Every receipt is new, so every claim
// wins and every push is stored. The goal is Alibaba's own limit: p99
// within 700 ms, cold start aside (the instance is warmed first).
func receiptsAnswer(ctx context.Context, b *Bench) error {
	st, err := stack.Start(ctx, stack.Options{FunctionOutput: io.Discard,
		Alert: stack.AlertOptions{Disabled: true}, Idem: stack.IdemOptions{DispatchDisabled: true}})
	if err != nil {
		return err
	}
	defer st.Close()
	claims := "no Redis: claims skipped"
	if st.RedisAddr != "" {
		claims = "Redis claims"
	}
	fmt.Fprintf(b.Out, "  %d pushes per round, one after another, to the receipts function's trigger (%s, SLS write, answer budget %s)\n",
		receiptPushesPerRound, claims, receipts.DefaultAnswerBudget)
	b.LatencyHeader("")
	goal := float64(receipts.AlibabaAnswerTimeout / time.Millisecond)
	for _, size := range receiptBatchSizes {
		for i := 0; i < receiptWarmPushes; i++ {
			if _, err := pushReceipts(st.ReceiptPushURL, size); err != nil {
				return fmt.Errorf("warm-up push: %w", err)
			}
		}
		var l Latency
		failed := 0
		for r := 0; r < b.Rounds; r++ {
			var s Samples
			for i := 0; i < receiptPushesPerRound; i++ {
				d, err := pushReceipts(st.ReceiptPushURL, size)
				if err != nil {
					failed++
				}
				s = append(s, d)
			}
			l.Add(s)
		}
		b.LatencyRow(fmt.Sprintf("push of %d receipt(s) → 200", size), l, goal)
		if failed > 0 {
			fmt.Fprintf(b.Out, "  %d of %d pushes of %d were not answered 200 {\"code\":0} (Alibaba would push them again)\n",
				failed, b.Rounds*receiptPushesPerRound, size)
		}
	}
	return stalledSLS(ctx, b, goal)
}

// stalledSLS times the answer when SLS never confirms the write: the
// function must give up inside its budget and answer 500 (so Alibaba
// pushes again) before Alibaba's 700 ms run out.
func stalledSLS(ctx context.Context, b *Bench, goal float64) error {
	stall := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/logstores/") {
				select { // PutLogs: hold it past any budget
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	st, err := stack.Start(ctx, stack.Options{FunctionOutput: io.Discard, Alert: stack.AlertOptions{Disabled: true},
		Idem: stack.IdemOptions{DispatchDisabled: true}, Receipts: stack.ReceiptOptions{SLSFilter: stall}})
	if err != nil {
		return err
	}
	defer st.Close()
	var l Latency
	for r := 0; r < b.Rounds; r++ {
		var s Samples
		for i := 0; i < receiptStalledPushes; i++ {
			d, err := pushReceipts(st.ReceiptPushURL, 1)
			if err == nil {
				return fmt.Errorf("a push answered success while SLS stored nothing")
			}
			s = append(s, d)
		}
		l.Add(s)
	}
	fmt.Fprintf(b.Out, "  SLS stalled (%d pushes per round): every push answered 500, so Alibaba pushes again\n", receiptStalledPushes)
	b.LatencyRow("push of 1 receipt, SLS stalled → 500", l, goal)
	return nil
}

// pushReceipts posts n fresh receipts and answers how long the answer took,
// and an error unless it is Alibaba's success (200, numeric code).
func pushReceipts(url string, n int) (time.Duration, error) {
	batch := make([]map[string]any, n)
	now := time.Now()
	for i := range batch {
		k := next()
		batch[i] = map[string]any{"phone_number": number(k), "send_time": receipts.FormatAlibabaTime(now.Add(-2 * time.Second)),
			"report_time": receipts.FormatAlibabaTime(now), "success": true, "err_code": "DELIVERED", "err_msg": "用户接收成功",
			"sms_size": "1", "biz_id": fmt.Sprintf("%d^0", 900000000000000000+k), "out_id": ""}
	}
	body, _ := json.Marshal(batch)
	start := time.Now()
	resp, err := http.Post(url, "application/json;charset=utf-8", strings.NewReader(string(body)))
	if err != nil {
		return time.Since(start), err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	took := time.Since(start)
	var ack struct{ Code json.Number }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &ack) != nil || ack.Code != "0" {
		return took, fmt.Errorf("push answered %d: %s", resp.StatusCode, raw)
	}
	return took, nil
}
