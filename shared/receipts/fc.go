package receipts

import (
	"context"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"smsflow/shared/fchttp"
	"smsflow/shared/obs"
)

// FCHandler is the function's entry point: an HTTP trigger event (Alibaba's
// push). Each invocation's events are shipped before it answers; the
// receipts themselves through the Recorder's Store, whose failure makes the
// push answer non-200 so Alibaba pushes again.
//
// The MNS report queue is not served: it lives in Alibaba's Alicom account
// and is read by pulling with a dybaseapi token, which no FC trigger can do
// (docs/receipts.md, "Why no MNS report queue").
func FCHandler(h *Handler, s *obs.Shipper) func(context.Context, events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
	return fchttp.Handler(obs.Middleware(h, s))
}
