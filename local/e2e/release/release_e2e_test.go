// Package release_test releases versions of the send function on the
// local stack with no person involved: a healthy version is promoted and a
// broken one rolled back by the release controller the alert function's
// timer runs, judging the events the versions wrote to SLS.
package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/fcrt"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/alert/alertfn"
	"smsflow/shared/creds"
	"smsflow/shared/release"
	"smsflow/shared/slsclient"
)

// testPolicy is LocalReleasePolicy scaled down further: two canary steps,
// 8 samples and a 1 s soak each (production: 50 samples, 10 minutes).
const testPolicy = "steps=0.25,0.5,1 min_samples=8 soak=1s index_lag=0s"

type localCreds struct{}

func (localCreds) Get(context.Context) (creds.Triple, error) {
	return creds.Triple{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret}, nil
}

type env struct {
	s      *stack.Stack
	fc     *release.Client
	phones atomic.Int64
}

func TestReleasesWithoutAPerson(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the functions")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{
		FunctionOutput: io.Discard,
		SendEnv:        map[string]string{"SMSFLOW_DYSMS_MAX_ATTEMPTS": "1"},
		Receipts:       stack.ReceiptOptions{Disabled: true},
		Release:        stack.ReleaseOptions{Enabled: true, Policy: testPolicy},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := &env{s: s, fc: release.NewClient("http://"+s.FCAddr, localCreds{})}
	t.Run("a healthy version is promoted", e.healthy)
	t.Run("a broken version is rolled back", e.broken)
}

func (e *env) healthy(t *testing.T) {
	v, err := e.fc.PublishVersion(context.Background(), "send", "healthy")
	if err != nil {
		t.Fatal(err)
	}
	d := e.release(t, v.ID, release.ActionPromote)
	if d.Canary.FailureRate != 0 || d.Canary.Results < 8 {
		t.Fatalf("promoted on %+v", d.Canary)
	}
	a, err := e.fc.GetAlias(context.Background(), "send", stack.LocalAlias)
	if err != nil || a.VersionID != v.ID || len(a.Weights) != 0 {
		t.Fatalf("after promotion alias = %+v, %v", a, err)
	}
	e.checkRecorded(t, v.ID, []string{"advance", "promote"})
}

func (e *env) broken(t *testing.T) {
	// What `s deploy` with a bad variable, then `s version publish`, does:
	// every send of this version fails (its Dysmsapi endpoint refuses).
	latest := e.s.SendVersions.Latest().Env
	bad := maps.Clone(latest)
	bad["SMSFLOW_DYSMS_ENDPOINT"] = "127.0.0.1:1"
	e.s.SendVersions.UpdateEnv(bad)
	v, err := e.fc.PublishVersion(context.Background(), "send", "broken")
	e.s.SendVersions.UpdateEnv(latest)
	if err != nil {
		t.Fatal(err)
	}
	stable, _ := e.fc.GetAlias(context.Background(), "send", stack.LocalAlias)
	d := e.release(t, v.ID, release.ActionRollback)
	if d.Canary.FailureRate < 0.5 || !strings.Contains(d.Reason, "failure rate") {
		t.Fatalf("rolled back on %+v (%s)", d.Canary, d.Reason)
	}
	a, err := e.fc.GetAlias(context.Background(), "send", stack.LocalAlias)
	if w, ok := a.Weights[v.ID]; err != nil || a.VersionID != stable.VersionID || !ok || w != 0 {
		t.Fatalf("after rollback alias = %+v, %v; want version %s with weight 0 for %s", a, err, stable.VersionID, v.ID)
	}
	e.checkRecorded(t, v.ID, []string{"rollback"})
	// No more traffic reaches the broken version.
	for _, code := range e.send(t, 20) {
		if code != http.StatusOK {
			t.Fatalf("a send after the rollback answered %d", code)
		}
	}
}

// release starts version on prod as an operator would, then sends traffic
// and runs the alert timer until the controller decides want (or the
// opposite). Nobody acts in between.
func (e *env) release(t *testing.T, version, want string) release.Decision {
	t.Helper()
	policy, _ := release.ParsePolicy(testPolicy)
	op := &release.Controller{FC: e.fc, Policy: policy, Function: "send", Alias: stack.LocalAlias}
	if _, err := op.Start(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		e.send(t, 24)
		r := e.tick(t)
		if r.Release == nil || r.ReleaseError != "" {
			t.Fatalf("the alert run made no release decision: %s", r.ReleaseError)
		}
		switch d := *r.Release; d.Action {
		case want:
			return d
		case release.ActionPromote, release.ActionRollback, release.ActionIdle:
			t.Fatalf("want %s, the controller decided %s", want, d.Summary())
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no %s within the deadline", want)
	return release.Decision{}
}

// send posts n messages through send's HTTP trigger (alias prod) and
// answers their statuses.
func (e *env) send(t *testing.T, n int) []int {
	t.Helper()
	var codes []int
	for range n {
		body, _ := json.Marshal(map[string]any{
			"phone_numbers": []string{fmt.Sprintf("137%08d", e.phones.Add(1))}, "sign_name": "smsflow",
			"template_code": "SMS_LOCAL_OTP", "template_params": map[string]string{"code": "482913"},
		})
		req, _ := http.NewRequest(http.MethodPost, e.s.GatewayURL+"/v1/messages", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	return codes
}

// tick is one run of the alert function's timer.
func (e *env) tick(t *testing.T) alertfn.Result {
	t.Helper()
	ev, _ := json.Marshal(map[string]string{"triggerTime": time.Now().UTC().Format(time.RFC3339),
		"triggerName": "e2e", "payload": `{"rules":[]}`})
	res, err := e.s.Alert.Invoke(context.Background(), ev, fcrt.InvokeOptions{})
	if err != nil || res.Error != nil {
		t.Fatalf("alert run: %v %+v", err, res.Error)
	}
	var r alertfn.Result
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("alert result %s: %v", res.Payload, err)
	}
	return r
}

// checkRecorded: each decision is a release.decision event in SLS with its
// figures, and a notification on the webhook channel.
func (e *env) checkRecorded(t *testing.T, version string, actions []string) {
	t.Helper()
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	cl := slsclient.New(e.s.SLSAddr, p, 10*time.Second)
	rows, err := slsclient.Query(cl, stack.LocalProject, stack.LocalLogstore,
		fmt.Sprintf(`event: "release.decision" and canary_version: "%s"`, version), time.Now().Add(-10*time.Minute), time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]string{}
	for _, r := range rows {
		seen[r["release_action"]] = r
	}
	for _, a := range actions {
		r, ok := seen[a]
		if !ok {
			t.Fatalf("no release.decision %s for version %s in SLS (have %v)", a, version, rows)
		}
		if r["canary_samples"] == "" || r["canary_failure_rate"] == "" || r["stable_version"] == "" {
			t.Fatalf("decision %s without its figures: %v", a, r)
		}
		noted := false
		for _, n := range e.s.Sink.Notifications() {
			noted = noted || (n.Channel == "webhook" && n.Accepted && n.Rule == "release" &&
				strings.Contains(n.Text, a+" send:prod") && strings.Contains(n.Text, "version "+version))
		}
		if !noted {
			t.Fatalf("no webhook notification of %s for version %s", a, version)
		}
	}
}
