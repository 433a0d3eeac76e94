package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/chromedp/chromedp"

	"smsflow/local/fcrt"
	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/dashboard"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
	"smsflow/shared/slsclient"
)

// One rule that any failure breaches, so one alert run makes a state change.
const dashboardRules = `
settings: {interval: 1s, index_lag: 1s}
channels:
  - {name: webhook, type: webhook, url_env: SMSFLOW_ALERT_WEBHOOK_URL, secret_env: SMSFLOW_ALERT_WEBHOOK_SECRET}
rules:
  - {name: dashboard_failures, severity: warning, kind: failure_rate, window: 2m, threshold: 0.05, min_samples: 1, channels: [webhook]}
`

// TestDashboardPageShowsAMixedRun sends a mix of messages through the local
// stack (accepted, failed, throttled, refused, delivered and undelivered),
// lets receipts arrive and the alert function change state, then loads the
// dashboard page in headless Chromium and checks that every chart was drawn
// with data.
func TestDashboardPageShowsAMixedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the functions, drives Chromium")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: make chromium (make test does it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{
		BinDir: t.TempDir(), FunctionOutput: io.Discard,
		SendEnv: map[string]string{"SMSFLOW_DYSMS_MAX_ATTEMPTS": "1"}, // one fault, one failed send
		Alert:   stack.AlertOptions{RulesYAML: dashboardRules, Interval: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.Contains(strings.Join(s.Banner, "\n"), s.DashboardURL) || s.DashboardURL == "" {
		t.Fatalf("the banner does not print the dashboard: %q", s.Banner)
	}

	mixedRun(t, s)
	client := slsclient.New(s.SLSAddr, sls.NewStaticCredentialsProvider(sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""), 10*time.Second)
	waitForEvents(t, client, `event: "sms.receipt"`, 7) // one per accepted send
	res, err := s.Alert.Invoke(ctx, dashboardTimer(time.Now().Add(2*time.Second)), fcrt.InvokeOptions{})
	if err != nil || res.Error != nil {
		t.Fatalf("alert run: %v %+v", err, res.Error)
	}
	waitForEvents(t, client, `event: "alert.transition"`, 1)

	t.Run("every chart has data in Chromium", func(t *testing.T) {
		charts := loadInChromium(ctx, t, browser, s.DashboardURL)
		for _, c := range dashboard.Charts() {
			got, ok := charts[c.ID]
			switch {
			case !ok:
				t.Errorf("chart %s is not on the page", c.ID)
			case got.Error != "":
				t.Errorf("chart %s: query failed: %s", c.ID, got.Error)
			case got.Marks == 0:
				t.Errorf("chart %s was drawn without data", c.ID)
			}
		}
	})
	t.Run("refusals do not crowd the provider's codes out of the top error codes", func(t *testing.T) {
		// Twenty refused requests outnumber every provider failure of the
		// mixed run; the chart counts send decisions only, as the
		// failure-rate rules do.
		for i := 0; i < 20; i++ {
			sendNotice(t, s, "12345", fmt.Sprintf("junk-%d", i))
		}
		waitForEvents(t, client, `event: "sms.result" and not decision: "send"`, 21)
		refused, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore,
			`event: "sms.result" and not decision: "send" | SELECT error_code, count(1) AS n GROUP BY error_code ORDER BY n DESC LIMIT 1`,
			time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
		if err != nil || len(refused) != 1 || refused[0]["error_code"] == "" {
			t.Fatalf("the refusals' code: %v %v", refused, err)
		}
		var query string
		for _, c := range dashboard.Charts() {
			if c.ID == "top_error_codes" {
				query = c.Query
			}
		}
		rows, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore, query,
			time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]string{}
		for _, r := range rows {
			codes[r["error_code"]] = r["n"]
		}
		if _, ok := codes[refused[0]["error_code"]]; ok {
			t.Errorf("top error codes count the %s refusals: %v", refused[0]["error_code"], codes)
		}
		if codes["isp.SYSTEM_ERROR"] == "" {
			t.Errorf("top error codes lack Alibaba's isp.SYSTEM_ERROR: %v", codes)
		}
	})
	t.Run("the local SLS index is provision.Index", func(t *testing.T) {
		idx, err := client.GetIndex(stack.LocalProject, stack.LocalLogstore)
		if err != nil || !provision.SameIndex(*idx, provision.Index()) {
			t.Fatalf("local index differs from provision.Index(): %v", err)
		}
	})
	t.Run("every field the functions logged is indexed", func(t *testing.T) {
		rows, err := slsclient.Query(client, stack.LocalProject, stack.LocalLogstore, "*",
			time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 100)
		if err != nil {
			t.Fatal(err)
		}
		indexed := map[string]bool{}
		for _, f := range obs.Fields {
			indexed[f.Key] = true
		}
		missing := map[string]string{}
		for _, r := range rows {
			for k := range r {
				if !strings.HasPrefix(k, "__") && !indexed[k] {
					missing[k] = r[obs.KeyEvent]
				}
			}
		}
		if len(missing) > 0 {
			t.Errorf("logged but not in obs.Fields (field: an event carrying it): %v", missing)
		}
	})
}

// mixedRun sends what the charts show: accepted sends (some undelivered),
// Alibaba failures, throttling and a refused request.
func mixedRun(t *testing.T, s *stack.Stack) {
	t.Helper()
	numbers := []string{
		"13900000001", "13900000002", "13900000003", "13900000004", "13900000005", "13900000006",
		"13800000010", // accepted, delivery fails
		"13800000003", // isp.SYSTEM_ERROR: failed
		"13800000001", // HTTP 500: failed
		"13800000004", // Throttling.Api
		"13800000006", // isv.BUSINESS_LIMIT_CONTROL
		"12345",       // refused by the API
	}
	for i, n := range numbers {
		sendNotice(t, s, n, fmt.Sprintf("dash-%d", i))
	}
}

// sendNotice sends one notice to number through the trigger; its answer
// does not matter here, the events it leaves do.
func sendNotice(t *testing.T, s *stack.Stack, number, outID string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"phone_numbers": []string{number}, "sign_name": "smsflow", "template_code": "SMS_LOCAL_NOTICE",
		"template_params": map[string]string{"name": "dash", "status": "ok"}, "out_id": outID,
	})
	postMessage(t, s.GatewayURL, body)
}

func waitForEvents(t *testing.T, c sls.ClientInterface, search string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rows, err := slsclient.Query(c, stack.LocalProject, stack.LocalLogstore, search+" | SELECT count(1) AS n",
			time.Now().Add(-time.Hour), time.Now().Add(time.Minute), 0)
		if err == nil && len(rows) == 1 && atoi(rows[0]["n"]) >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %d events %s: %v %v", want, search, rows, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// dashboardTimer is a timer trigger event for the evaluation slot at.
func dashboardTimer(at time.Time) []byte {
	b, _ := json.Marshal(map[string]string{"triggerTime": at.UTC().Format(time.RFC3339), "triggerName": "dashboard", "payload": ""})
	return b
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

type chartOnPage struct {
	ID    string `json:"id"`
	Marks int    `json:"marks"`
	Error string `json:"error"`
}

// loadInChromium opens the page in a fresh headless Chromium and reads,
// from the rendered DOM, how many data marks each chart drew.
func loadInChromium(ctx context.Context, t *testing.T, browser, url string) map[string]chartOnPage {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(url), chromedp.WaitVisible(`#charts`)); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[[]chartOnPage](`Array.from(document.querySelectorAll('figure.chart')).map(f => ({
		id: f.id,
		marks: f.querySelectorAll('svg circle.point, svg rect.bar, table tr.row').length,
		error: f.dataset.error || ''}))`))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	refresh, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('meta[http-equiv="refresh"]').content`))
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if refresh == "" {
		t.Error("the page does not reload itself")
	}
	out := map[string]chartOnPage{}
	var ids []string
	for _, c := range charts {
		out[c.ID] = c
		ids = append(ids, fmt.Sprintf("%s=%d", c.ID, c.Marks))
	}
	sort.Strings(ids)
	t.Logf("charts on the page: %s", strings.Join(ids, " "))
	return out
}
