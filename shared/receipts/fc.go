package receipts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"smsflow/shared/fchttp"
	"smsflow/shared/obs"
)

// FCHandler is the function's one entry point for both triggers: an HTTP
// trigger event (an object: Alibaba's push) or an EventBridge delivery (an
// array of CloudEvents: the MNS report queue). Each invocation's events are
// shipped before it answers; the receipts themselves through the
// Recorder's Store, whose failure fails the invocation.
func FCHandler(h *Handler, s *obs.Shipper) func(context.Context, []byte) (any, error) {
	httpTrigger := fchttp.Handler(obs.Middleware(h, s))
	return func(ctx context.Context, payload []byte) (any, error) {
		if t := bytes.TrimSpace(payload); len(t) > 0 && t[0] == '[' {
			ctx = obs.NewBatch(obs.WithInvocation(ctx))
			defer s.Flush(ctx)
			n, err := h.HandleEvents(ctx, t)
			if err != nil {
				return nil, err
			}
			return map[string]int{"recorded": n}, nil
		}
		var ev events.HTTPTriggerEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("receipts: the payload is neither an HTTP trigger event nor an EventBridge batch: %w", err)
		}
		return httpTrigger(ctx, ev)
	}
}
