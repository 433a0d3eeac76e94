// Command dispatch is the event-triggered sender: an EventBridge trigger
// (an MNS queue source, or a custom source) delivers messages whose bodies
// are POST /v1/messages requests. All of it lives in shared/; this file
// only wires. It refuses to start without a shared idempotency store:
// delivery is at least once, and a redelivery must not send again.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"smsflow/shared/api"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/dispatch"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/runtimefit"
	"smsflow/shared/sessionlink"
	"smsflow/shared/sms"
)

func main() {
	runtimefit.Init("dispatch", os.Getenv, os.Stderr)
	cfg, err := config.Load[config.Dispatch]()
	if err != nil {
		fmt.Fprintln(os.Stderr, "dispatch: refusing to start:", err)
		os.Exit(1)
	}
	credentials := creds.NewSource(cfg.AllowLongLivedKey)
	shipper := obs.NewShipper(cfg.Logs, "dispatch", credentials, os.Stdout)
	logger := obs.NewLogger(shipper)
	hashKey := []byte(cfg.PhoneHashKey)
	idempotency, err := api.OpenIdempotency(context.Background(), cfg.Idempotency, cfg.PhoneHashKey, hashKey, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dispatch: refusing to start:", err)
		os.Exit(1)
	}
	// Redis is required here, so Tencent's receipts always find their trace.
	sender, err := sms.NewFromConfig(cfg.Dysms, cfg.Tencent, credentials, sessionlink.Open(cfg.Redis), logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dispatch: refusing to start:", err)
		os.Exit(1)
	}
	handler := api.New(api.Options{
		Sender:      sender,
		Logger:      logger,
		Hasher:      phone.NewHasher(hashKey),
		Idempotency: idempotency,
	})
	d := dispatch.New(handler, logger, 4).KeepFree(dispatch.Reserve(cfg.RedisTimeout, cfg.Logs.Timeout))
	fc.Start(dispatch.FCHandler(d, shipper))
}
