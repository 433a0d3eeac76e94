package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsflow/shared/alert"
	"smsflow/shared/release"
	"smsflow/shared/text"
)

// releaseFC is an FC control API whose alias prod is on version 1 with
// version 2 at weight, the step begun age ago. It counts UpdateAlias
// calls; each is answered with the same alias. After 1000 calls the
// canary is gone (a watch that loops ends).
func releaseFC(t *testing.T, weight float64, age time.Duration) (url string, updates *atomic.Int64) {
	t.Helper()
	updates, calls := &atomic.Int64{}, &atomic.Int64{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			updates.Add(1)
		}
		canary := weight
		if calls.Add(1) > 1000 {
			canary = 0
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"aliasName":"prod","versionId":"1","additionalVersionWeight":{"2":%g},"lastModifiedTime":%q}`,
			canary, time.Now().Add(-age).UTC().Format(time.RFC3339))
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

// hostile is what an SLS or FC answer can hold: a terminal's escape
// sequences, a bell, a bidi override, invalid UTF-8.
const hostile = "\x1b[2J\x1b[Hpromoted OK\u202e\x07\u0085\x7f\xff\U000e0041"

type rowsSLS []map[string]string

func (r rowsSLS) Query(context.Context, time.Time, time.Time, string) (alert.Result, error) {
	return alert.Result{Rows: r, Complete: true}, nil
}

// noUnfit fails t when s (less its last newline) holds a character
// text.Unfit names.
func noUnfit(t *testing.T, what, s string) {
	t.Helper()
	if r, pos, found := text.FirstUnfit(strings.TrimSuffix(s, "\n")); found {
		t.Errorf("%s: raw %U at %d reached the terminal: %q", what, r, pos, s)
	}
}

// `release watch` ends with the timer's decision read from SLS: every
// field of that event is escaped on the terminal.
func TestTheWatchEndingEscapesWhatSLSAnswers(t *testing.T) {
	c := &release.Controller{Function: "send", Alias: "prod", Querier: rowsSLS{{
		"release_action": release.ActionRollback, "time": "2026-12-02T16:25:21Z" + hostile,
		"canary_samples": "12" + hostile, "reason": hostile, "stable_failure_rate": "0" + hostile,
	}}}
	var out strings.Builder
	printEnding(context.Background(), c, "3", &out)
	if !strings.Contains(out.String(), "rollback version 3") {
		t.Fatalf("no ending printed: %q", out.String())
	}
	noUnfit(t, "ending", out.String())
}

// A decision carries text from FC (version ids) and SLS (reasons quoting
// figures, an operator's abort reason): escaped as text, and as JSON
// escaped to the same value.
func TestDecisionsReachTheTerminalEscaped(t *testing.T) {
	d := release.Decision{Action: release.ActionWait, Function: "send", Alias: "prod", Reason: hostile}
	d.Stable.Version, d.Canary.Version = "1"+hostile, "2"+hostile
	for _, action := range []string{release.ActionWait, release.ActionIdle} {
		d.Action = action
		var out strings.Builder
		if err := printDecision(&out, d, false); err != nil {
			t.Fatal(err)
		}
		noUnfit(t, action, out.String())
		out.Reset()
		if err := printDecision(&out, d, true); err != nil {
			t.Fatal(err)
		}
		noUnfit(t, action+" -json", out.String())
		var back release.Decision
		if err := json.Unmarshal([]byte(out.String()), &back); err != nil || back.Reason != strings.ToValidUTF8(hostile, "\ufffd") || back.Canary.Version != strings.ToValidUTF8(d.Canary.Version, "\ufffd") {
			t.Errorf("-json does not hold the same decision: %v, %q", err, back.Reason)
		}
	}
}

// The decision event of an abort or start is shipped after the command;
// when SLS refuses it, its answer is escaped on stderr as main escapes
// errors.
func TestAFlushErrorIsEscaped(t *testing.T) {
	localKey(t)
	fc, _ := releaseFC(t, 0.05, 0)
	sls := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"errorCode":"Unauthorized","errorMessage":"\u001b[2J\u001b[Hrollback done\u202e"}`)
	}))
	t.Cleanup(sls.Close)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	err = runRelease("abort", []string{"-fc-endpoint", fc, "-sls-endpoint", sls.Listener.Addr().String(),
		"-project", "p", "-logstore", "sms", "-allow-long-lived-key"}, io.Discard)
	os.Stderr = saved
	w.Close()
	got, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "did not reach SLS") {
		t.Fatalf("stderr %q: the failed flush is not reported", got)
	}
	noUnfit(t, "stderr", string(got))
}

// As trace and provision, release refuses a long-lived AccessKey unless
// both its endpoints are loopback, even with -allow-long-lived-key and
// SMSFLOW_ALLOW_LONG_LIVED_KEY=true (the local recipe exports it).
func TestReleaseRefusesALongLivedKeyInTheCloud(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "not-a-real-key-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "example")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
	t.Setenv("SMSFLOW_ALLOW_LONG_LIVED_KEY", "true")
	local, _ := releaseFC(t, 0.05, 10*time.Minute)
	// .invalid never resolves: nothing is contacted.
	for name, endpoints := range map[string][2]string{
		"both in the cloud": {"123.cn-hangzhou.fc.invalid", "cn-hangzhou.log.invalid"},
		"FC in the cloud":   {"https://123.cn-hangzhou.fc.invalid", "127.0.0.1:1"},
		"SLS in the cloud":  {local, "cn-hangzhou.log.invalid"},
	} {
		for _, flag := range []string{"-allow-long-lived-key", "-json"} {
			err := runRelease("status", []string{"-fc-endpoint", endpoints[0], "-sls-endpoint", endpoints[1],
				"-project", "p", "-logstore", "sms", flag}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "long-lived") {
				t.Errorf("%s, %s: err = %v, want the long-lived key refused", name, flag, err)
			}
		}
	}
}

// A watch period of 0 or less (or under a second) is a loop of FC and SLS
// calls: refused before any call, naming the flag.
func TestWatchRefusesAPeriodUnderASecond(t *testing.T) {
	localKey(t)
	fc, _ := releaseFC(t, 0.05, 0)
	for _, every := range []string{"0s", "-5s", "1ms"} {
		err := runRelease("watch", []string{"-every", every, "-fc-endpoint", fc,
			"-sls-endpoint", "127.0.0.1:1", "-project", "p", "-logstore", "sms", "-allow-long-lived-key"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-every") {
			t.Errorf("-every %s: err = %v, want a refusal naming -every", every, err)
		}
	}
}
