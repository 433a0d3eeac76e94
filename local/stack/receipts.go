package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/fcrt"
	"smsflow/shared/receipts"
)

// The receipts part of the local contract (docs/receipts.md, "Locally").
const (
	DefaultReceiptsPort = 9400
	// LocalReceiptsToken is the secret path segment of the local push URL.
	LocalReceiptsToken = "smsflow-local-receipts-token"
)

// ReceiptOptions configure the receipts function and the receipts the
// Dysmsapi emulator produces (dysms.ReceiptConfig).
type ReceiptOptions struct {
	// Disabled leaves the receipts function out; the emulator then decides
	// delivery at acceptance and pushes nothing.
	Disabled bool
	// Port is the receipts function's HTTP trigger; PortsFromEnv sets it
	// from SMSFLOW_LOCAL_RECEIPTS_PORT (default 9400). 0 = any free port.
	Port int
	// Delay is how long after acceptance a receipt comes; 0 reads
	// SMSFLOW_LOCAL_RECEIPT_DELAY, else the emulator's default (500 ms).
	Delay, SlowDelay time.Duration
	// Retry is the emulator's re-push schedule (nil: dysms.LocalRetrySchedule).
	Retry []time.Duration
	// FailRatio and LostRatio are the outcome mix of ordinary numbers.
	FailRatio, LostRatio float64
	// Env overrides the receipts function's environment.
	Env map[string]string
	// SLSFilter, when set, wraps the SLS emulator as the receipts function
	// sees it (tests make recording fail with it).
	SLSFilter func(http.Handler) http.Handler
}

// ReceiptParts is what the receipts part adds to a running Stack.
type ReceiptParts struct {
	// Receipts is the receipts function.
	Receipts *fcrt.Pool
	// ReceiptsURL is its HTTP trigger; ReceiptPushURL the push URL the
	// emulator posts to (with the token).
	ReceiptsURL, ReceiptPushURL string
}

func init() {
	register(component{name: "receipts function", order: 40, start: startReceipts})
}

func startReceipts(ctx context.Context, s *Stack, o Options) error {
	ro := o.Receipts
	if ro.Disabled {
		return nil
	}
	cfg, err := receiptConfig(ro)
	if err != nil {
		return err
	}
	bin, err := BuildFunction(ctx, o.BinDir, "receipts")
	if err != nil {
		return err
	}
	slsAddr := s.SLSAddr
	if ro.SLSFilter != nil {
		if slsAddr, err = s.Serve(0, ro.SLSFilter(s.SLS)); err != nil {
			return fmt.Errorf("receipts sls filter: %w", err)
		}
	}
	s.Receipts = o.pool(s.withTraces(s.receiptsFunction(o, bin, slsAddr)))
	s.OnClose(s.Receipts.Stop)
	gw, err := s.Serve(ro.Port, fcrt.NewGateway(s.Receipts, fcrt.GatewayConfig{AccountID: LocalAccountID, Logger: o.Logger}))
	if err != nil {
		return fmt.Errorf("receipts gateway: %w", err)
	}
	s.ReceiptsURL = "http://" + gw
	s.ReceiptPushURL = s.ReceiptsURL + receipts.PushPathPrefix + LocalReceiptsToken
	if err := s.Receipts.Warm(ctx); err != nil {
		return fmt.Errorf("starting the receipts function: %w", err)
	}
	cfg.PushURL = s.ReceiptPushURL
	if err := s.Dysms.ConfigureReceipts(cfg); err != nil {
		return err
	}
	// Stop reporting before the function goes: a push to a stopped stack
	// would only fail.
	s.OnClose(func(context.Context) error { return s.Dysms.ConfigureReceipts(dysms.ReceiptConfig{}) })
	via := "HTTP push to " + s.ReceiptPushURL
	if s.RedisAddr != "" {
		via += "; repeats recorded once (Redis)"
	}
	s.Banner = append(s.Banner, fmt.Sprintf("receipts function (HTTP trigger) %s  receipts: %s", s.ReceiptsURL, via))
	return nil
}

// receiptConfig resolves the options and the environment into the
// emulator's receipt settings (targets are filled in by the caller).
func receiptConfig(ro ReceiptOptions) (dysms.ReceiptConfig, error) {
	if ro.Delay == 0 {
		if v := os.Getenv("SMSFLOW_LOCAL_RECEIPT_DELAY"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return dysms.ReceiptConfig{}, fmt.Errorf("SMSFLOW_LOCAL_RECEIPT_DELAY=%q: want a positive Go duration", v)
			}
			ro.Delay = d
		}
	}
	return dysms.ReceiptConfig{Delay: ro.Delay, SlowDelay: ro.SlowDelay, Retry: ro.Retry,
		FailRatio: ro.FailRatio, LostRatio: ro.LostRatio}, nil
}

func (s *Stack) receiptsFunction(o Options, bin, slsAddr string) fcrt.Function {
	sum := sha256.Sum256([]byte(LocalReceiptsToken))
	env := map[string]string{
		"SMSFLOW_RECEIPTS_TOKEN_SHA256": hex.EncodeToString(sum[:]),
		// The send function's key, so phone_hash matches across the two.
		"SMSFLOW_PHONE_HASH_KEY": LocalPhoneHashKey,
		"SMSFLOW_SLS_ENDPOINT":   slsAddr,
	}
	// The stack's Redis, when there is one, filters receipts pushed again
	// (docs/receipts.md); the send function's connection settings apply.
	if s.RedisAddr != "" {
		env["SMSFLOW_REDIS_ADDR"] = s.RedisAddr
		for k, v := range o.SendEnv {
			if strings.HasPrefix(k, "SMSFLOW_REDIS_") {
				env[k] = v
			}
		}
	}
	for k, v := range o.Receipts.Env {
		env[k] = v
	}
	return fcrt.Function{
		Name: "receipts", Binary: bin, Env: env, Timeout: FunctionTimeout["receipts"], MemoryMB: FunctionMemoryMB["receipts"],
		Region: LocalRegion, AccountID: LocalAccountID, LogProject: LocalProject, LogStore: LocalLogstore,
		// No preStop: every invocation has shipped its events before it
		// answered, so there is nothing left to flush when it stops.
		AutoFreeze: o.AutoFreeze, Output: o.FunctionOutput, Logger: o.Logger,
	}
}
