package stack

import (
	"context"
	"fmt"
	"maps"

	"smsflow/local/fcrt"
)

// DefaultSignedPort is the send function deployed as s.yaml declares it:
// behind an HTTP trigger with authType: function.
const DefaultSignedPort = 9001

// SignedOptions configure the signed deployment of the send function.
type SignedOptions struct {
	// Disabled leaves it out.
	Disabled bool
	// Port is its HTTP trigger; PortsFromEnv sets it from
	// SMSFLOW_LOCAL_SIGNED_PORT (default 9001). 0 = any free port.
	Port int
}

// SignedParts is what the signed deployment adds to a running Stack.
type SignedParts struct {
	// SignedSend runs the send function told SMSFLOW_TRIGGER_AUTH=function.
	SignedSend *fcrt.Pool
	// SignedAddr is its trigger (host:port): FC's gateway checks each
	// caller's ACS3-HMAC-SHA256 signature (the local pair or an STS triple
	// of the local STS) and refuses bearer tokens, as deployed.
	SignedAddr string
}

func init() {
	register(component{name: "signed send trigger", order: 15, start: startSigned})
}

// startSigned runs a second deployment of the send binary: the same
// configuration as the bearer one but for the authentication, so the
// README's signed call works locally while the default stays bearer.
func startSigned(_ context.Context, s *Stack, o Options) error {
	if o.Signed.Disabled {
		return nil
	}
	fn := s.SendFunction
	fn.Env = maps.Clone(fn.Env)
	fn.Env["SMSFLOW_TRIGGER_AUTH"] = "function"
	delete(fn.Env, "SMSFLOW_API_TOKEN_SHA256")
	// Not warmed: the first signed call starts an instance, as on FC.
	s.SignedSend = o.pool(fn)
	s.OnClose(s.SignedSend.Stop)
	addr, err := s.Serve(o.Signed.Port, fcrt.NewGateway(s.SignedSend,
		fcrt.GatewayConfig{AccountID: LocalAccountID, Logger: o.Logger, Auth: fcrt.AuthFunction}))
	if err != nil {
		return fmt.Errorf("signed send gateway: %w", err)
	}
	s.SignedAddr = addr
	s.Banner = append(s.Banner, "send function, signed trigger    http://"+addr+"  authType function: sign with the local pair (README.md, Authentication)")
	return nil
}
