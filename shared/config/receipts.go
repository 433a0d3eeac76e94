package config

import (
	"fmt"
	"time"
)

// ReceiptsAuth configures who may push delivery receipts. Alibaba's SmsReport
// push cannot sign its requests or send a header we choose, so the push URL
// configured in the SMS console carries a secret path segment:
// https://<trigger>/v1/receipts/<token>. Only its SHA-256 is configured
// here; several hashes allow rotating the token without a gap.
type ReceiptsAuth struct {
	TokenSHA256 []string `env:"SMSFLOW_RECEIPTS_TOKEN_SHA256" envSeparator:"," secret:"true" max:"259"`
	// TencentTokenSHA256 opens Tencent's callback path
	// (/v1/receipts/tencent/<token>) with a token of its own; empty: no
	// Tencent receipts are taken.
	TencentTokenSHA256 []string `env:"SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256" envSeparator:"," secret:"true" max:"259"`
	// MaxBodyBytes caps one push (Alibaba batches receipts; 1 MiB is
	// thousands of them).
	MaxBodyBytes int64 `env:"SMSFLOW_RECEIPTS_MAX_BODY_BYTES" envDefault:"1048576" max:"10"`
}

// Receipts is the configuration of functions/receipts. It shares Privacy
// with send, so phone_hash values of receipts match those of sends.
type Receipts struct {
	ReceiptsAuth
	// AnswerBudget is how long the function may take from a push's arrival
	// to its answer. Alibaba waits 700 ms in all (doc 101508); the rest is
	// the network and FC's gateway. Storing that does not finish in time is
	// answered 500, so Alibaba pushes again (docs/receipts.md).
	AnswerBudget time.Duration `env:"SMSFLOW_RECEIPTS_ANSWER_BUDGET" envDefault:"500ms" max:"16"`
	Privacy
	Logs
	// Redis, when it has an address, records a receipt pushed again only
	// once (receipts.RedisSeen); without one, or while it is down, repeats
	// are logged again and counted once at query time (docs/receipts.md).
	Redis
	// AllowLongLivedKey: see Dysms.AllowLongLivedKey (local stack only).
	AllowLongLivedKey bool `env:"SMSFLOW_ALLOW_LONG_LIVED_KEY" max:"5"`
}

// Validate checks what env parsing cannot.
func (r Receipts) Validate() error {
	if err := r.Redis.Validate(); err != nil {
		return err
	}
	if err := r.Logs.Validate(); err != nil {
		return err
	}
	if err := validateTokenHashes("SMSFLOW_RECEIPTS_TOKEN_SHA256", r.TokenSHA256); err != nil {
		return err
	}
	// Tencent's callback path is opened by a token of its own: the same
	// rules, or a hash of "\n" lets anybody push forged receipts to
	// /v1/receipts/tencent/%0A.
	if err := validateTokenHashes("SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256", r.TencentTokenSHA256); err != nil {
		return err
	}
	local := IsLoopback(r.Logs.Endpoint)
	if err := r.Privacy.validate(local, r.RedisAddr != ""); err != nil {
		return err
	}
	if err := refusePublished("SMSFLOW_RECEIPTS_TOKEN_SHA256", r.TokenSHA256, local); err != nil {
		return err
	}
	if err := refusePublished("SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256", r.TencentTokenSHA256, local); err != nil {
		return err
	}
	if r.AllowLongLivedKey && !IsLoopback(r.Logs.Endpoint) {
		return fmt.Errorf("SMSFLOW_ALLOW_LONG_LIVED_KEY is for the local stack only, but SMSFLOW_SLS_ENDPOINT is %q", r.Logs.Endpoint)
	}
	if r.AnswerBudget < 50*time.Millisecond || r.AnswerBudget >= 700*time.Millisecond {
		return fmt.Errorf("SMSFLOW_RECEIPTS_ANSWER_BUDGET must be at least 50ms and under Alibaba's 700ms, got %s", r.AnswerBudget)
	}
	if r.MaxBodyBytes < 1024 {
		return fmt.Errorf("SMSFLOW_RECEIPTS_MAX_BODY_BYTES must be at least 1024, got %d", r.MaxBodyBytes)
	}
	return nil
}
