package drill

import (
	"context"
	"fmt"
	"maps"
	"time"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/creds"
	"smsflow/shared/release"
)

// releasePolicy is stack.LocalReleasePolicy made quicker for the drill's
// traffic: two canary steps, 5 samples and a 2 s soak each (production:
// 50 samples and 10 minutes).
const releasePolicy = "steps=0.25,0.5,1 min_samples=5 soak=2s index_lag=0s"

// localCreds signs FC control API calls with the local-only key pair, as
// an operator's STS profile would.
type localCreds struct{}

func (localCreds) Get(context.Context) (creds.Triple, error) {
	return creds.Triple{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret}, nil
}

func (e *env) fc() *release.Client { return release.NewClient("http://"+e.s.FCAddr, localCreds{}) }

// releaseBroken publishes a version whose Dysmsapi endpoint refuses
// connections (a bad variable deployed, then published) and starts its
// canary as an operator would; from then on only the alert timer's
// release controller acts.
func releaseBroken(ctx context.Context, e *env) (time.Time, error) {
	latest := e.s.SendVersions.Latest().Env
	bad := maps.Clone(latest)
	bad["SMSFLOW_DYSMS_ENDPOINT"] = "127.0.0.1:1"
	e.s.SendVersions.UpdateEnv(bad)
	v, err := e.fc().PublishVersion(ctx, "send", "broken by the drill")
	e.s.SendVersions.UpdateEnv(latest)
	if err != nil {
		return time.Time{}, fmt.Errorf("publishing the broken version: %w", err)
	}
	policy, err := release.ParsePolicy(releasePolicy)
	if err != nil {
		return time.Time{}, err
	}
	op := &release.Controller{FC: e.fc(), Policy: policy, Function: "send", Alias: stack.LocalAlias}
	at := time.Now()
	if _, err := op.Start(ctx, v.ID); err != nil {
		return time.Time{}, fmt.Errorf("starting the release of version %s: %w", v.ID, err)
	}
	e.canary = v.ID
	return at, nil
}

// rolledBack answers when the alias was seen back on the stable version
// with the canary's weight 0 (zero while it is not).
func (e *env) rolledBack(ctx context.Context) (time.Time, error) {
	a, err := e.fc().GetAlias(ctx, "send", stack.LocalAlias)
	if err != nil {
		return time.Time{}, err
	}
	if w, ok := a.Weights[e.canary]; ok && w == 0 && a.VersionID != e.canary {
		return time.Now(), nil
	}
	return time.Time{}, nil
}

// checkCanaryServed fails the scenario when no request reached the broken
// version: the rollback would then judge nothing.
func checkCanaryServed(e *env, r *Result) {
	rows, err := e.query(fmt.Sprintf(`event: "sms.result" and version: "%s" | SELECT count(1) AS n`, e.canary))
	n := ""
	if err == nil && len(rows) == 1 {
		n = rows[0]["n"]
	}
	if n == "" || n == "0" {
		r.Failures = append(r.Failures, fmt.Sprintf("no request reached the canary version %s (%v)", e.canary, err))
		return
	}
	r.Notes = append(r.Notes, fmt.Sprintf("version %s served %s requests before it was rolled back; their callers retried with their keys", e.canary, n))
}
