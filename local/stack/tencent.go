package stack

import (
	"context"
	"fmt"

	"smsflow/local/tencent"
)

// DefaultTencentPort is where `make run` serves the Tencent SMS emulator
// (SMSFLOW_LOCAL_TENCENT_PORT moves it; 0 picks a free port).
const DefaultTencentPort = 9110

// TencentOptions configure the Tencent SMS emulator.
type TencentOptions struct {
	// Port of the emulator; 0 picks a free port (what tests use).
	Port int
}

// TencentParts is what the Tencent part adds to a running Stack.
type TencentParts struct {
	Tencent     *tencent.Server
	TencentAddr string // host:port, the SDK's Endpoint form
}

func init() {
	// Before the send function: it is the send function's secondary provider.
	register(component{name: "tencent sms emulator", order: 5, prepare: prepareTencent, start: func(context.Context, *Stack, Options) error { return nil }})
}

func prepareTencent(_ context.Context, s *Stack, o *Options) error {
	s.Tencent = tencent.New(tencent.Options{Logf: func(f string, a ...any) { o.Logger.Debug(fmt.Sprintf(f, a...)) }})
	addr, err := s.Serve(o.Tencent.Port, s.Tencent)
	if err != nil {
		return fmt.Errorf("tencent emulator: %w", err)
	}
	s.TencentAddr = addr
	s.Banner = append(s.Banner, fmt.Sprintf("Tencent SMS emulator  http://%s  admin: /_emulator/  SecretId %s / %s, SmsSdkAppId %s",
		addr, tencent.LocalSecretID, tencent.LocalSecretKey, tencent.LocalSdkAppID))
	return nil
}
