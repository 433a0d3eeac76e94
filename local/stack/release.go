package stack

import (
	"context"
	"fmt"
	"maps"

	"smsflow/local/fcrt"
)

// The release part of the local contract (docs/release.md).
const (
	DefaultFCPort = 9700
	// LocalAlias is the alias the send gateway invokes when releases are on.
	LocalAlias = "prod"
	// LocalReleasePolicy is the production policy with time scaled down for
	// the local stack: a 5 s soak instead of 10 minutes (1:120), 5 samples
	// instead of 50, and no index lag (the SLS emulator indexes at once).
	LocalReleasePolicy = "steps=0.05,0.25,1 min_samples=5 soak=5s index_lag=0s"
)

// ReleaseOptions turn on FC versions and aliases for the send function.
type ReleaseOptions struct {
	// Enabled publishes LATEST as version 1, points alias prod at it and
	// makes the send gateway invoke prod; the FC control API is served on
	// Port and the alert function drives the release controller.
	Enabled bool
	// Port is the FC control API's port (0 = any free port);
	// PortsFromEnv sets it from SMSFLOW_LOCAL_FC_PORT.
	Port int
	// Policy is the controller's policy; "" = LocalReleasePolicy.
	Policy string
}

// ReleaseParts is what the release part adds to a running Stack.
type ReleaseParts struct {
	// SendVersions is the send function's versions and aliases (nil when
	// releases are off).
	SendVersions *fcrt.Versioned
	// FCControl serves FC's control API; FCAddr is its host:port.
	FCControl *fcrt.ControlAPI
	FCAddr    string
}

func init() {
	register(component{name: "FC versions and aliases", order: 40, prepare: prepareRelease, start: startRelease})
}

// prepareRelease serves the control API before the alert function starts,
// so the alert function's environment can name it.
func prepareRelease(_ context.Context, s *Stack, o *Options) error {
	if !o.Release.Enabled {
		return nil
	}
	s.FCControl = fcrt.NewControlAPI(o.Logger)
	addr, err := s.Serve(o.Release.Port, s.FCControl)
	if err != nil {
		return fmt.Errorf("fc control api: %w", err)
	}
	s.FCAddr = addr
	policy := o.Release.Policy
	if policy == "" {
		policy = LocalReleasePolicy
	}
	env := maps.Clone(o.Alert.Env)
	if env == nil {
		env = map[string]string{}
	}
	for k, v := range map[string]string{
		"SMSFLOW_RELEASE_FUNCTION":    "send",
		"SMSFLOW_RELEASE_ALIAS":       LocalAlias,
		"SMSFLOW_RELEASE_FC_ENDPOINT": "http://" + addr,
		"SMSFLOW_RELEASE_POLICY":      policy,
	} {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	o.Alert.Env = env
	return nil
}

// startRelease publishes version 1 of send, points prod at it, and puts
// the alias behind the send gateway.
func startRelease(_ context.Context, s *Stack, o Options) error {
	if !o.Release.Enabled {
		return nil
	}
	v := fcrt.NewVersioned(s.SendFunction, o.pool)
	v.UseLatestPool(s.Send)
	if _, err := v.Publish("the code the stack started with"); err != nil {
		return err
	}
	if _, err := v.CreateAlias(fcrt.Alias{Name: LocalAlias, VersionID: "1"}); err != nil {
		return err
	}
	s.SendVersions = v
	s.FCControl.Add(v)
	s.OnClose(func(ctx context.Context) error {
		// LATEST's pool is s.Send, which Close stops on its own.
		return v.Stop(ctx)
	})
	// The gate answers 503 until MarkReady, which comes after this.
	s.gate.next = fcrt.NewGateway(v.Qualified(LocalAlias), fcrt.GatewayConfig{AccountID: LocalAccountID, Logger: o.Logger})
	s.Banner = append(s.Banner,
		fmt.Sprintf("FC control API (versions, aliases) http://%s  send's HTTP trigger invokes alias %s", s.FCAddr, LocalAlias),
		"  release a version:  go run ./local publish [-env K=V ...]  then  go run ./cmd/smsflow release start -version N")
	return nil
}
