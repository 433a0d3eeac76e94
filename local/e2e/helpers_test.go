package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/local/testkit"
	"smsflow/shared/slsclient"
	"smsflow/shared/timeline"
)

type syncBuffer = testkit.Buffer

// startStack starts a stack on free ports; it is closed when t ends.
func startStack(t testing.TB, o stack.Options) (*stack.Stack, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	o.FunctionOutput = out
	o.Receipts.Disabled = true // see TestMain
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, o)
	if err != nil {
		t.Fatalf("starting the local stack: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, out
}

type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (r reply) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r reply) errField() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["field"].(string)
	return c
}

func (r reply) str(key string) string {
	v, _ := r.Body[key].(string)
	return v
}

// send posts a message request to the stack's HTTP trigger.
func send(t testing.TB, s *stack.Stack, contentType, body string, headers ...string) reply {
	t.Helper()
	a := testkit.PostMessage(t, s.GatewayURL, stack.LocalToken, contentType, body, headers...)
	r := reply{Status: a.Status, Header: a.Header, Raw: a.Raw}
	_ = json.Unmarshal([]byte(a.Raw), &r.Body)
	return r
}

func message(phone, template string, params map[string]string) string {
	b, _ := json.Marshal(map[string]any{"phone_numbers": []string{phone}, "sign_name": "smsflow",
		"template_code": template, "template_params": params})
	return string(b)
}

func otp(phone, code string) string {
	return message(phone, "SMS_LOCAL_OTP", map[string]string{"code": code})
}

// slsClient is the unmodified SLS SDK pointed at the stack's emulator with
// the documented local AccessKey pair.
func slsClient(s *stack.Stack) sls.ClientInterface {
	p := &slsclient.Live{}
	p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	return slsclient.New(s.SLSAddr, p, 10*time.Second)
}

// query runs an SLS query over the last hour.
func query(t testing.TB, s *stack.Stack, q string) []map[string]string {
	t.Helper()
	now := time.Now()
	rows, err := slsclient.Query(slsClient(s), stack.LocalProject, stack.LocalLogstore, q, now.Add(-time.Hour), now.Add(time.Minute), 100)
	if err != nil {
		t.Fatalf("query %q: %v", q, err)
	}
	return rows
}

func eventsOf(t testing.TB, s *stack.Stack, traceID string) []map[string]string {
	t.Helper()
	return query(t, s, "trace_id: "+traceID)
}

func names(rows []map[string]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r["event"])
	}
	return out
}

func httpGet(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func moduleRoot(t testing.TB) string {
	root, err := stack.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// sortEvents orders a trace's events as the timeline does.
func sortEvents(rows []map[string]string) { timeline.Sort(rows) }

func queryPage(t testing.TB, s *stack.Stack, q string, offset int64) []map[string]string {
	t.Helper()
	now := time.Now()
	resp, err := slsClient(s).GetLogsV3(stack.LocalProject, stack.LocalLogstore, &sls.GetLogRequest{
		From: now.Add(-time.Hour).Unix(), To: now.Add(time.Minute).Unix(), Query: q, Lines: 100, Offset: offset})
	if err != nil || !resp.IsComplete() {
		t.Fatalf("GetLogs %q offset %d: %v", q, offset, err)
	}
	return resp.Logs
}
