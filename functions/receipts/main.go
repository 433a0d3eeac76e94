// Command receipts records Alibaba's SMS delivery receipts (SmsReport) as
// sms.receipt events in the trace of the send that caused them, from
// Alibaba's HTTP batch push (HTTP trigger, anonymous: the push URL carries a
// secret token). All of it lives in shared/receipts.
package main

import (
	"fmt"
	"os"

	"github.com/aliyun/fc-runtime-go-sdk/fc"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/receipts"
	"smsflow/shared/runtimefit"
	"smsflow/shared/sessionlink"
)

func main() {
	runtimefit.Init("receipts", os.Getenv, os.Stderr)
	cfg, err := config.Load[config.Receipts]()
	if err != nil {
		fmt.Fprintln(os.Stderr, "receipts: refusing to start:", err)
		os.Exit(1)
	}
	shipper := obs.NewShipper(cfg.Logs, "receipts", creds.NewSource(cfg.AllowLongLivedKey), os.Stdout)
	logger := obs.NewLogger(shipper)
	seen := receipts.OpenSeen(cfg.Redis)
	if seen == nil {
		logger.Warn("no receipt duplicate filter (SMSFLOW_REDIS_ADDR is not set): a receipt Alibaba pushes again is logged again, and counted once at query time")
	}
	providers := []receipts.Provider{receipts.Alibaba}
	if len(cfg.TencentTokenSHA256) > 0 {
		providers = append(providers, receipts.Tencent(cfg.TencentTokenSHA256, sessionlink.Open(cfg.Redis), logger))
	}
	handler := receipts.New(receipts.Options{
		Providers: providers,
		Recorder: &receipts.Recorder{
			Logger: logger,
			// The same key as the send function, or phone_hash would not match.
			Hasher: phone.NewHasher(obs.PhoneHashKey(cfg.Privacy, logger)),
			Store:  shipper.FlushOrFail,
			Seen:   seen,
		},
		Auth:   cfg.ReceiptsAuth,
		Logger: logger,
		Budget: cfg.AnswerBudget,
	})
	if !handler.PushEnabled() {
		logger.Error("receipt push is DISABLED: SMSFLOW_RECEIPTS_TOKEN_SHA256 is not set; every push will answer 503 and no receipt is recorded")
	}
	fc.Start(receipts.FCHandler(handler, shipper))
}
