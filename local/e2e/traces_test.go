package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/stack"
	"smsflow/shared/slsclient"
	"smsflow/shared/slstrace"
)

// A message's spans reach the local SLS Trace instance over OTLP with the
// events' trace and span ids; the dashboard page and `trace -spans` draw
// their waterfall.
// conformance: OT-01, OT-03
func TestSpansOfAMessageAreInTheTraceLogstore(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	s.Dysms.SetFault(dysms.Fault{Kind: "http503", Count: 1})
	rep := send(t, s, "application/json", otp("13911110031", "804613"))
	s.Dysms.ClearFaults()
	traceID := rep.Header.Get("X-Trace-Id")

	now := time.Now()
	spans, err := slsclient.Query(slsClient(s), stack.LocalProject, slstrace.Logstore(stack.LocalTraceInstance),
		slstrace.FieldTraceID+": "+traceID, now.Add(-time.Hour), now.Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	events := eventsOf(t, s, traceID)
	eventSpan := map[string]string{} // span id -> event name
	for _, e := range events {
		if e["event"] != "sms.result" {
			eventSpan[e["span_id"]] = e["event"]
		}
	}
	if len(spans) != 3 || len(eventSpan) != 3 {
		t.Fatalf("%d spans for %d event spans, want 3 (request, 2 attempts): %v", len(spans), len(eventSpan), spans)
	}
	for _, sp := range spans {
		ev, ok := eventSpan[sp[slstrace.FieldSpanID]]
		switch {
		case !ok:
			t.Errorf("span %s is no event's span", sp[slstrace.FieldSpanID])
		case ev == "sms.attempt" && (sp[slstrace.FieldKind] != "CLIENT" || eventSpan[sp[slstrace.FieldParentSpanID]] != "sms.request"):
			t.Errorf("attempt span %v", sp)
		case ev == "sms.request" && (sp[slstrace.FieldKind] != "SERVER" || sp[slstrace.FieldService] != "send"):
			t.Errorf("request span %v", sp)
		}
		if strings.Contains(sp[slstrace.FieldAttribute], "13911110031") || strings.Contains(sp[slstrace.FieldAttribute], "804613") {
			t.Errorf("span holds the number or the code: %v", sp)
		}
	}

	resp, err := http.Get(strings.TrimSuffix(s.DashboardURL, "/dashboard") + "/dashboard/trace?id=" + traceID)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `data-spans="3"`) || strings.Count(string(page), `class="span"`) != 3 {
		t.Errorf("the dashboard's trace page does not draw the 3 spans:\n%s", page)
	}

	cmd := exec.Command("go", "run", "./local", "trace", "-spans", "-endpoint", s.SLSAddr, traceID)
	cmd.Dir = moduleRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trace -spans: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "sms.request") || !strings.Contains(lines[2], "  Dysmsapi/SendSms") ||
		!strings.Contains(lines[2], "ERROR") || !strings.Contains(lines[3], "  Dysmsapi/SendSms") {
		t.Fatalf("waterfall:\n%s", out)
	}
}
