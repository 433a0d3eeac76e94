package main

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/release"
)

// releaseFC is an FC control API whose alias prod is on version 1 with
// version 2 at weight, the step begun age ago. It counts UpdateAlias
// calls; each is answered with the same alias.
func releaseFC(t *testing.T, weight float64, age time.Duration) (url string, updates *atomic.Int64) {
	t.Helper()
	updates = &atomic.Int64{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			updates.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"aliasName":"prod","versionId":"1","additionalVersionWeight":{"2":%g},"lastModifiedTime":%q}`,
			weight, time.Now().Add(-age).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(ts.Close)
	return ts.URL, updates
}

// localKey puts the local stack's long-lived key in the credentials chain.
func localKey(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "smsflow-local-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "smsflow-local-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
}

// An abort during an SLS outage moves the alias, and the operator sees
// the abort, then what failed after it.
func TestAbortIsShownWhenSLSFailsAfterIt(t *testing.T) {
	localKey(t)
	fc, updates := releaseFC(t, 0.25, 10*time.Minute)
	for _, jsonOut := range []bool{false, true} {
		args := []string{"-fc-endpoint", fc, "-sls-endpoint", "127.0.0.1:1", "-project", "p", "-logstore", "sms", "-allow-long-lived-key"}
		if jsonOut {
			args = append(args, "-json")
		}
		var out strings.Builder
		err := runRelease("abort", args, &out)
		if err == nil || !strings.Contains(err.Error(), "updated as decided") {
			t.Errorf("json %v: err = %v, want the SLS failure after the abort", jsonOut, err)
		}
		if !strings.Contains(out.String(), "abort") || !strings.Contains(out.String(), "2") {
			t.Errorf("json %v: the abort is not shown: %q", jsonOut, out.String())
		}
	}
	if updates.Load() != 2 {
		t.Fatalf("%d UpdateAlias calls, want one per abort", updates.Load())
	}
}

// A decision JSON cannot hold (a NaN figure) is still shown, as text.
func TestADecisionJSONCannotHoldIsShownAsText(t *testing.T) {
	d := release.Decision{Action: release.ActionPromote, Function: "send", Alias: "prod"}
	d.Canary.Version, d.Canary.P99MS = "2", math.NaN()
	var out strings.Builder
	err := printDecision(&out, d, true)
	if err == nil || !strings.Contains(out.String(), "promote send:prod: version 2") {
		t.Fatalf("err %v, output %q", err, out.String())
	}
}
