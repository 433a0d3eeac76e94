package stack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"smsflow/local/tencent"
	"smsflow/shared/receipts"
)

// DefaultTencentPort is where `make run` serves the Tencent SMS emulator
// (SMSFLOW_LOCAL_TENCENT_PORT moves it; 0 picks a free port).
const DefaultTencentPort = 9110

// TencentOptions configure the Tencent SMS emulator.
type TencentOptions struct {
	// Port of the emulator; 0 picks a free port (what tests use).
	Port int
	// Failover configures the send function with Tencent as its secondary
	// provider (`make run` does). Off, the emulator still runs but the
	// function sends through Alibaba alone, which the tests of Alibaba's
	// own outcomes (retries, 503s, alerts on failure rates) rely on.
	Failover bool
}

// TencentParts is what the Tencent part adds to a running Stack.
type TencentParts struct {
	Tencent     *tencent.Server
	TencentAddr string // host:port, the SDK's Endpoint form
}

// LocalTencentReceiptsToken is the secret path segment of Tencent's local
// callback URL (its own, apart from Alibaba's push token).
const LocalTencentReceiptsToken = "smsflow-local-tencent-receipts-token"

func init() {
	// Before the send function: it is the send function's secondary provider.
	register(component{name: "tencent sms emulator", order: 5, prepare: prepareTencent, start: func(context.Context, *Stack, Options) error { return nil }})
	// After the receipts function: the emulator calls it back.
	register(component{name: "tencent receipts", order: 45, start: startTencentReceipts})
}

// startTencentReceipts points the emulator's delivery callback at the
// receipts function's Tencent path.
func startTencentReceipts(_ context.Context, s *Stack, o Options) error {
	if !o.Tencent.Failover || s.Receipts == nil {
		return nil
	}
	url := s.ReceiptsURL + receipts.TencentPathPrefix + LocalTencentReceiptsToken
	s.Tencent.ConfigureReceipts(tencent.ReceiptConfig{PushURL: url, Delay: o.Receipts.Delay})
	s.OnClose(func(context.Context) error { s.Tencent.ConfigureReceipts(tencent.ReceiptConfig{}); return nil })
	s.Banner = append(s.Banner, "Tencent receipts: callback to "+url)
	return nil
}

func prepareTencent(_ context.Context, s *Stack, o *Options) error {
	s.Tencent = tencent.New(tencent.Options{Logf: func(f string, a ...any) { o.Logger.Debug(fmt.Sprintf(f, a...)) }})
	addr, err := s.Serve(o.Tencent.Port, s.Tencent)
	if err != nil {
		return fmt.Errorf("tencent emulator: %w", err)
	}
	s.TencentAddr = addr
	if o.Tencent.Failover {
		for _, fn := range []string{"send", "dispatch"} {
			if err := shipTemplateMap(o.BinDir, fn); err != nil {
				return err
			}
		}
		if o.SendEnv == nil {
			o.SendEnv = map[string]string{}
		}
		if o.Idem.DispatchEnv == nil {
			o.Idem.DispatchEnv = map[string]string{}
		}
		if o.Receipts.Env == nil {
			o.Receipts.Env = map[string]string{}
		}
		sum := sha256.Sum256([]byte(LocalTencentReceiptsToken))
		o.Receipts.Env["SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256"] = hex.EncodeToString(sum[:])
		for k, v := range map[string]string{
			"SMSFLOW_TENCENT_SECRET_ID":  tencent.LocalSecretID,
			"SMSFLOW_TENCENT_SECRET_KEY": tencent.LocalSecretKey,
			"SMSFLOW_TENCENT_SDK_APP_ID": tencent.LocalSdkAppID,
			"SMSFLOW_TENCENT_REGION":     tencent.LocalRegion,
			"SMSFLOW_TENCENT_ENDPOINT":   addr,
			"SMSFLOW_TENCENT_SCHEME":     "http",
		} {
			for _, env := range []map[string]string{o.SendEnv, o.Idem.DispatchEnv} {
				if _, set := env[k]; !set {
					env[k] = v
				}
			}
		}
	}
	s.Banner = append(s.Banner, fmt.Sprintf("Tencent SMS emulator  http://%s  admin: /_emulator/  SecretId %s / %s, SmsSdkAppId %s",
		addr, tencent.LocalSecretID, tencent.LocalSecretKey, tencent.LocalSdkAppID))
	return nil
}

// shipTemplateMap puts the template map beside function fn's binary, where
// the deployed function finds it in its code package (make build does the
// same for dist/send and dist/dispatch).
func shipTemplateMap(binDir, fn string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(root, "functions", "send", "templates.yaml"))
	if err != nil {
		return fmt.Errorf("template map: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(binDir, fn), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(binDir, fn, "templates.yaml"), data, 0o644)
}
