package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/dashboard"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
)

// localSLS starts an emulator with a bare logstore (no index) and points
// the credentials-go chain at the local key pair through its env provider.
func localSLS(t *testing.T) (addr string, c *slssdk.Client) {
	t.Helper()
	srv, err := sls.New(sls.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	if err := srv.EnsureLogstore("smsflow-local", "sms"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", sts.LocalAccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sts.LocalAccessKeySecret)
	addr = ts.Listener.Addr().String()
	return addr, &slssdk.Client{Endpoint: addr, AccessKeyID: sts.LocalAccessKeyID,
		AccessKeySecret: sts.LocalAccessKeySecret, HTTPClient: sls.LocalHTTPClient(addr)}
}

func provisionOnce(t *testing.T, addr string) string {
	t.Helper()
	var out strings.Builder
	if err := runProvision([]string{"-endpoint", addr, "-project", "smsflow-local", "-logstore", "sms"}, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestProvisionTwiceChangesNothingTheSecondTime(t *testing.T) {
	addr, c := localSLS(t)

	first := provisionOnce(t, addr)
	if !strings.Contains(first, "index of smsflow-local/sms: created") || !strings.Contains(first, "dashboard smsflow-operations: created") {
		t.Fatalf("first run:\n%s", first)
	}
	idx, err := c.GetIndex("smsflow-local", "sms")
	if err != nil || !provision.SameIndex(*idx, provision.Index()) {
		t.Fatalf("index after provisioning is not provision.Index(): %v", err)
	}
	before, err := c.GetDashboard("smsflow-local", dashboard.Name)
	if err != nil || len(before.ChartList) != len(dashboard.Charts()) {
		t.Fatalf("dashboard after provisioning: %+v %v", before, err)
	}

	second := provisionOnce(t, addr)
	if strings.Count(second, "unchanged") != 2 {
		t.Fatalf("second run changed something:\n%s", second)
	}
	after, _ := c.GetDashboard("smsflow-local", dashboard.Name)
	if after.Attribute["version"] != before.Attribute["version"] || after.Attribute["update"] != before.Attribute["update"] {
		t.Fatalf("the second run wrote the dashboard: %v then %v", before.Attribute, after.Attribute)
	}
}

// Drift (someone edits a chart in the console, an older index) is put back.
func TestProvisionRepairsDrift(t *testing.T) {
	addr, c := localSLS(t)
	old := provision.Index()
	delete(old.Keys, obs.KeyLatencyMS)
	if err := c.CreateIndex("smsflow-local", "sms", old); err != nil {
		t.Fatal(err)
	}
	edited := dashboard.SLS("sms")
	edited.ChartList = edited.ChartList[:1]
	if err := c.CreateDashboard("smsflow-local", edited); err != nil {
		t.Fatal(err)
	}
	out := provisionOnce(t, addr)
	if strings.Count(out, "updated") != 2 {
		t.Fatalf("drift not repaired:\n%s", out)
	}
	if out := provisionOnce(t, addr); strings.Count(out, "unchanged") != 2 {
		t.Fatalf("not stable after repair:\n%s", out)
	}
}

func TestProvisionNeedsItsTarget(t *testing.T) {
	t.Setenv("SMSFLOW_SLS_ENDPOINT", "")
	err := runProvision([]string{"-project", "p"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-endpoint") {
		t.Fatalf("err = %v", err)
	}
}

// -timeout 0 (or negative) removed every bound on the SLS calls: against
// an endpoint that never answers, provision hung. It is refused before any
// call, naming the flag.
func TestProvisionRefusesANonPositiveTimeout(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", sts.LocalAccessKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", sts.LocalAccessKeySecret)
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	t.Cleanup(func() { close(block); ts.Close() })
	for _, to := range []string{"0s", "-1s"} {
		done := make(chan error, 1)
		go func() {
			done <- runProvision([]string{"-timeout", to, "-endpoint", ts.Listener.Addr().String(), "-project", "p", "-logstore", "sms"}, io.Discard)
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "-timeout must be a positive duration") {
				t.Errorf("-timeout %s: err = %v, want a refusal naming -timeout", to, err)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("-timeout %s: provision still waiting on SLS after 3s (no bound at all)", to)
		}
	}
}

// Provisioning never narrows what exists: a key an operator added to the
// index, a larger max_text_len and a ttl survive the repair of ours, and
// the output says what it changed and what it left.
//
// conformance: SLS-08
func TestProvisionKeepsWhatItDoesNotOwn(t *testing.T) {
	addr, c := localSLS(t)
	idx := provision.Index()
	delete(idx.Keys, obs.KeyLatencyMS)
	idx.Keys["team_ticket"] = slssdk.IndexKey{Type: "text", DocValue: true, Token: []string{" "}}
	idx.MaxTextLen, idx.Ttl = 16384, 30
	if err := c.CreateIndex("smsflow-local", "sms", idx); err != nil {
		t.Fatal(err)
	}
	out := provisionOnce(t, addr)
	got, err := c.GetIndex("smsflow-local", "sms")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Keys["team_ticket"]; !ok {
		t.Errorf("provision deleted the index key team_ticket:\n%s", out)
	}
	if _, ok := got.Keys[obs.KeyLatencyMS]; !ok {
		t.Errorf("provision did not add %s:\n%s", obs.KeyLatencyMS, out)
	}
	if got.MaxTextLen != 16384 || got.Ttl != 30 {
		t.Errorf("provision reset max_text_len 16384 to %d, ttl 30 to %d", got.MaxTextLen, got.Ttl)
	}
	for _, want := range []string{"index of smsflow-local/sms: updated", "added key " + obs.KeyLatencyMS,
		"left as it is (not smsflow's): key team_ticket, max_text_len 16384, ttl 30"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if again := provisionOnce(t, addr); strings.Count(again, "unchanged") != 2 || !strings.Contains(again, "key team_ticket") {
		t.Errorf("second run:\n%s", again)
	}
}
