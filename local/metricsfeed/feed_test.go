package metricsfeed

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
	"smsflow/shared/redmetrics"
	"smsflow/shared/slsclient"
	"smsflow/shared/trace"
)

// traffic logs, through the real obs shipper, what the panels and rules
// need: sends of every outcome, a refusal, calls of two latencies,
// receipts delivered and not, an alert transition, and a flood of bogus
// template codes.
func traffic(t *testing.T, slsAddr string) {
	c := sts.Issue(time.Hour)
	base := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "r",
		Credentials: fccontext.Credentials{AccessKeyId: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken},
		Function:    fccontext.Function{Name: "send"}, Service: fccontext.Service{LogProject: "p", LogStore: "events", VersionId: "3"}, Region: "cn-hangzhou"})
	shipper := obs.NewShipper(config.Logs{Endpoint: slsAddr}, "send", creds.NewSource(false), io.Discard)
	log := obs.NewLogger(shipper)
	ctx := obs.NewBatch(obs.WithInvocation(trace.NewContext(base, trace.NewRoot())))
	result := func(status, decision, template, code string) {
		log.LogAttrs(ctx, slog.LevelInfo, obs.EventResult, slog.String(obs.KeyStatus, status), slog.String(obs.KeyDecision, decision),
			slog.String(obs.KeyTemplateCode, template), slog.String(obs.KeyErrorCode, code), slog.String(obs.KeyProvider, "alibaba"),
			slog.String(obs.KeyPhoneMasked, "138****8000"))
	}
	for i := 0; i < 20; i++ {
		result("accepted", "send", "SMS_LOCAL_OTP", "")
		log.LogAttrs(ctx, slog.LevelInfo, obs.EventAttempt, slog.String(obs.KeyStatus, "accepted"), slog.Int(obs.KeyLatencyMS, 40+i))
	}
	for i := 0; i < 3; i++ {
		result("failed", "send", "SMS_LOCAL_OTP", "isp.SYSTEM_ERROR")
		log.LogAttrs(ctx, slog.LevelWarn, obs.EventAttempt, slog.String(obs.KeyStatus, "failed"), slog.Int(obs.KeyLatencyMS, 1500))
	}
	result("throttled", "send", "SMS_LOCAL_OTP", "isv.BUSINESS_LIMIT_CONTROL")
	result("rejected", "refused", "SMS_LOCAL_OTP", "invalid_phone_number")
	for i := 0; i < 60; i++ {
		result("rejected", "send", "SMS_BOGUS_"+strconv.Itoa(i), "isv.SMS_TEMPLATE_ILLEGAL")
	}
	for i, delivered := range []bool{true, true, true, false} {
		status := "delivered"
		if !delivered {
			status = "failed"
		}
		log.LogAttrs(ctx, slog.LevelInfo, obs.EventReceipt, slog.String(obs.KeyStatus, status), slog.Bool(obs.KeyDelivered, delivered),
			slog.String(obs.KeyReceiptID, "rc"+strconv.Itoa(i)), slog.Int(obs.KeyTimeToDeliveryMS, 3000+i*1000))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "alert.transition", slog.String("rule", "sms_failure_rate"), slog.String("to", "pending"))
	if err := shipper.FlushOrFail(ctx); err != nil {
		t.Fatal(err)
	}
}

func needPrometheus(t *testing.T) *Prometheus {
	t.Helper()
	if _, err := exec.LookPath("prometheus"); err != nil {
		t.Skip("prometheus is not installed (make test installs it: make prometheus)")
	}
	p, err := StartPrometheus(context.Background(), t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

// After traffic, one window of the metric jobs fed to a real Prometheus
// answers every Grafana panel's query, and the rules' expressions.
// conformance: OT-05, OT-06, OT-07
func TestPanelsAnswerFromFedPrometheus(t *testing.T) {
	prom := needPrometheus(t)
	srv, err := localsls.New(localsls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, err := range []error{srv.EnsureProject("p"), srv.EnsureLogstore("p", "events"), srv.EnsureIndex("p", "events", provision.Index())} {
		if err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	slsAddr := strings.TrimPrefix(hs.URL, "http://")
	traffic(t, slsAddr)

	reader := &slsclient.Live{}
	reader.Set(sdk.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	client := slsclient.New(slsAddr, reader, 10*time.Second)
	f := &Feeder{WriteURL: prom.WriteURL(), Window: time.Minute,
		Query: func(_ context.Context, q string, from, to time.Time) ([]map[string]string, error) {
			return slsclient.Query(client, "p", "events", q, from, to, 0)
		}}
	end := time.Now().Truncate(time.Second).Add(time.Second)
	if err := f.RunWindow(context.Background(), end); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(end) + 100*time.Millisecond) // instant queries at "now" must include end

	ctx := context.Background()
	for _, p := range redmetrics.Panels() {
		for _, tg := range p.Targets {
			res, err := prom.Query(ctx, tg.Expr)
			if err != nil || len(res) == 0 {
				t.Errorf("panel %s: %q: %d series, %v", p.ID, tg.Expr, len(res), err)
				continue
			}
			for _, s := range res {
				if v := s.Float(); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("panel %s: %q: %v", p.ID, tg.Expr, s)
				}
			}
		}
	}
	if res, err := prom.Query(ctx, `sum(smsflow_messages_total)`); err != nil || len(res) != 1 || res[0].Float() != 85 {
		t.Errorf("sum(smsflow_messages_total) = %v (%v), want the 85 results", res, err)
	}
	// 61 template codes (60 bogus ones) fold to at most MaxValuesPerLabel.
	if res, err := prom.Query(ctx, `count(count by (template) (smsflow_messages_total))`); err != nil || len(res) != 1 || res[0].Float() > redmetrics.MaxValuesPerLabel {
		t.Errorf("template label not bounded: %v %v", res, err)
	}
	if res, err := prom.Query(ctx, `count({__name__=~"smsflow_.*", phone_masked!=""})`); err != nil || len(res) != 0 {
		t.Errorf("a number reached a label: %v %v", res, err)
	}

	// The rules are valid Prometheus rules, and each expression evaluates.
	rules, err := redmetrics.RulesYAML()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "smsflow.rules.yml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("promtool", "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	cfg := mustDefaults(t)
	file, _ := redmetrics.AlertRules(cfg)
	for _, r := range file.Groups[0].Rules {
		if _, err := prom.Query(ctx, r.Expr); err != nil {
			t.Errorf("rule %s: %v", r.Alert, err)
		}
	}
	// 3 failures among 84 sends (the refusal is no send): the failure
	// rate is the alert rule's measure.
	fr, _ := prom.Query(ctx, redmetrics.Panels()[2].Targets[0].Expr)
	if len(fr) != 1 || math.Abs(fr[0].Float()-3.0/84) > 1e-9 {
		t.Errorf("failure rate %v, want 3/84", fr)
	}
}
