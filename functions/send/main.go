// Command send is the HTTP-triggered function: POST /v1/messages sends an
// SMS through Dysmsapi. All of it lives in shared/; this file only wires.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"smsflow/shared/api"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/fchttp"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/runtimefit"
	"smsflow/shared/sessionlink"
	"smsflow/shared/sms"
)

func main() {
	runtimefit.Init("send", os.Getenv, os.Stderr)
	cfg, err := config.Load[config.Send]()
	if err != nil {
		// A misconfigured function must not half-run: fail every cold start.
		fmt.Fprintln(os.Stderr, "send: refusing to start:", err)
		os.Exit(1)
	}
	credentials := creds.NewSource(cfg.AllowLongLivedKey)
	shipper := obs.NewShipper(cfg.Logs, "send", credentials, os.Stdout)
	logger := obs.NewLogger(shipper)
	hashKey := obs.PhoneHashKey(cfg.Privacy, logger)
	idempotency, err := api.OpenIdempotency(context.Background(), cfg.Idempotency, cfg.PhoneHashKey, hashKey, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "send: refusing to start:", err)
		os.Exit(1)
	}
	var links sms.SessionLinks
	if cfg.RedisAddr != "" {
		links = sessionlink.Open(cfg.Redis)
	}
	sender, err := sms.NewFromConfig(cfg.Dysms, cfg.Tencent, credentials, links, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "send: refusing to start:", err)
		os.Exit(1)
	}
	handler := api.New(api.Options{
		Sender:      sender,
		Auth:        cfg.HTTPAuth,
		Logger:      logger,
		Hasher:      phone.NewHasher(hashKey),
		Idempotency: idempotency,
	})
	if !handler.SendingEnabled() {
		logger.Error("sending is DISABLED: no SMSFLOW_API_TOKEN_SHA256 and SMSFLOW_TRIGGER_AUTH is not 'function'; every POST /v1/messages will answer 503")
	}
	fc.Start(fchttp.Handler(obs.Middleware(handler, shipper)))
}
