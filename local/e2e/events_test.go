package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"smsflow/local/dysms"
	"smsflow/local/stack"
	"smsflow/local/testkit"
)

// A mixed run, then the SLS SDK reads back what every request left.
func TestEveryRequestLeavesItsEventsInSLS(t *testing.T) {
	s := shared
	type run struct {
		name   string
		fault  *dysms.Fault
		body   string
		events []string
		status string
	}
	runs := []run{
		{"accepted", nil, otp("13911110001", "804613"), []string{"sms.request", "sms.attempt", "sms.result"}, "accepted"},
		{"refused by us", nil, `{"phone_numbers":["13911110002"],"sign_name":"smsflow"}`, []string{"sms.result"}, "rejected"},
		{"refused by Alibaba", nil, message("13911110003", "SMS_NOPE", map[string]string{"code": "804613"}), []string{"sms.request", "sms.attempt", "sms.result"}, "rejected"},
		{"retried once", &dysms.Fault{Kind: "http503", Count: 1}, otp("13911110004", "804613"), []string{"sms.request", "sms.attempt", "sms.attempt", "sms.result"}, "accepted"},
		{"throttled", &dysms.Fault{Kind: "business_limit"}, otp("13911110005", "804613"), []string{"sms.request", "sms.attempt", "sms.result"}, "throttled"},
		{"ambiguous", &dysms.Fault{Kind: "reset_after_accept"}, otp("13911110006", "804613"), []string{"sms.request", "sms.attempt", "sms.result"}, "unknown"},
		{"unavailable", &dysms.Fault{Kind: "http500"}, otp("13911110007", "804613"), []string{"sms.request", "sms.attempt", "sms.attempt", "sms.attempt", "sms.result"}, "failed"},
	}
	for _, r := range runs {
		s.Dysms.Reset()
		if r.fault != nil {
			s.Dysms.SetFault(*r.fault)
		}
		rep := send(t, s, "application/json", r.body)
		s.Dysms.ClearFaults()
		traceID := rep.Header.Get("X-Trace-Id")
		events := eventsOf(t, s, traceID)
		sortEvents(events)
		if got := strings.Join(names(events), ","); got != strings.Join(r.events, ",") {
			t.Errorf("%s: events %s, want %s", r.name, got, strings.Join(r.events, ","))
			continue
		}
		var requestSpan string
		for i, e := range events {
			if e["trace_id"] != traceID || e["function"] != "send" || e["fc_request_id"] == "" || e["region"] != stack.LocalRegion ||
				e["span_id"] == "" || e["time"] == "" || e["instance_id"] == "" {
				t.Errorf("%s: event %d lacks context fields: %v", r.name, i, e)
			}
			switch e["event"] {
			case "sms.request":
				requestSpan = e["span_id"]
				if e["phone_masked"] == "" || len(e["phone_hash"]) != 32 || e["number_count"] != "1" || e["template_code"] == "" || e["caller"] == "" {
					t.Errorf("%s: request event %v", r.name, e)
				}
			case "sms.attempt":
				if e["parent_span_id"] != requestSpan || e["span_id"] == requestSpan || e["latency_ms"] == "" || e["attempt"] == "" || e["status"] == "" {
					t.Errorf("%s: attempt is not a child span of the request, or lacks fields: %v", r.name, e)
				}
			case "sms.result":
				if e["status"] != r.status || e["http_status"] != itoa(rep.Status) || e["duration_ms"] == "" {
					t.Errorf("%s: result event %v (reply %d)", r.name, e, rep.Status)
				}
			}
		}
		if r.status == "accepted" && events[len(events)-1]["biz_id"] != rep.str("biz_id") {
			t.Errorf("%s: result biz_id %q, reply %q", r.name, events[len(events)-1]["biz_id"], rep.str("biz_id"))
		}
	}
}

func TestSQLOverEventsCountsStatuses(t *testing.T) {
	s := shared
	rows := query(t, s, `event: "sms.result" | SELECT status, count(1) AS n GROUP BY status ORDER BY n DESC`)
	if len(rows) == 0 {
		t.Fatal("no rows: the index does not analyse status")
	}
	for _, r := range rows {
		if r["status"] == "" || r["n"] == "" {
			t.Fatalf("row %v", r)
		}
	}
}

func TestTraceCommandPrintsTheTimeline(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	s.Dysms.SetFault(dysms.Fault{Kind: "http503", Count: 1})
	rep := send(t, s, "application/json", otp("13911110011", "804613"))
	s.Dysms.ClearFaults()
	traceID := rep.Header.Get("X-Trace-Id")
	root := moduleRoot(t)
	cmd := exec.Command("go", "run", "./local", "trace", "-endpoint", s.SLSAddr, traceID)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trace: %v\n%s", err, out)
	}
	text := string(out)
	wantInOrder := []string{"trace " + traceID, "sms.request", "to=139****0011", "sms.attempt #1", "failed", "code=ServiceUnavailable",
		"sms.attempt #2", "accepted", "sms.result", "http=200", "attempts=2", "=> accepted"}
	at := 0
	for _, w := range wantInOrder {
		i := strings.Index(text[at:], w)
		if i < 0 {
			t.Fatalf("timeline lacks %q after position %d:\n%s", w, at, text)
		}
		at += i + len(w)
	}
	if strings.Contains(text, "13911110011") || strings.Contains(text, "804613") {
		t.Fatalf("timeline leaks the number or the code:\n%s", text)
	}
}

// Nothing stored in SLS and nothing the functions printed holds a full
// number or a template value.
func TestNoPersonalDataAnywhere(t *testing.T) {
	s := shared
	s.Dysms.Reset()
	secrets := []string{"13922220001", "13922220002", "804613", "Zhangsanfeng", "dispatched-7731"}
	send(t, s, "application/json", otp("13922220001", "804613"))
	send(t, s, "application/json", message("13922220002", "SMS_LOCAL_NOTICE", map[string]string{"name": "Zhangsanfeng", "status": "dispatched-7731"}))
	send(t, s, "application/json", `{"phone_numbers":["13922220001","1392222000x"],"sign_name":"smsflow","template_code":"SMS_LOCAL_OTP","template_params":{"code":"804613"}}`)
	s.Dysms.SetFault(dysms.Fault{Kind: "reset_after_accept"})
	send(t, s, "application/json", otp("13922220002", "804613"))
	s.Dysms.ClearFaults()
	// Every fault kind, and refusals by Alibaba, each with its own number
	// and value: errors, retries and unknown outcomes must not leak either.
	for i, kind := range dysms.FaultKinds {
		number, code := fmt.Sprintf("1392223%04d", i), fmt.Sprintf("x%04d", 7000+i)
		secrets = append(secrets, number, code)
		f := dysms.Fault{Kind: kind}
		if kind == dysms.FaultLatency {
			f.Latency = 1500 * time.Millisecond // past SMSFLOW_DYSMS_TIMEOUT: unknown
		}
		s.Dysms.SetFault(f)
		send(t, s, "application/json", otp(number, code))
		s.Dysms.ClearFaults()
	}
	secrets = append(secrets, "13922240001", "Wangwuzhong", "13922240002", "y12345678")
	send(t, s, "application/json", message("13922240001", "SMS_LOCAL_NOTICE", map[string]string{"name": "Wangwuzhong"}))
	send(t, s, "application/json", otp("13922240002", "y12345678"))
	time.Sleep(600 * time.Millisecond) // the latency fault's late answer

	var stored strings.Builder
	for offset := int64(0); ; offset += 100 {
		rows := queryPage(t, s, "*", offset)
		for _, r := range rows {
			b, _ := json.Marshal(r)
			stored.Write(b)
		}
		if len(rows) < 100 {
			break
		}
	}
	if !strings.Contains(stored.String(), "139****0001") {
		t.Fatal("the scan did not see this test's events")
	}
	for _, where := range map[string]string{"SLS": stored.String(), "function output": sharedOut.String()} {
		for _, secret := range secrets {
			if strings.Contains(where, secret) {
				t.Errorf("%q found in stored or printed data", secret)
			}
		}
	}
}

// FC may freeze an instance the moment it answers and recycle it without a
// hook. Events are shipped before the answer, so none is lost.
func TestFrozenThenKilledInstanceLosesNoEvents(t *testing.T) {
	s, _ := startStack(t, stack.Options{AutoFreeze: true})
	var traces []string
	for i := 0; i < 3; i++ {
		rep := send(t, s, "application/json", otp("1393333000"+itoa(i), "804613"))
		if rep.Status != 200 {
			t.Fatalf("send %d: %d %s", i, rep.Status, rep.Raw)
		}
		traces = append(traces, rep.Header.Get("X-Trace-Id"))
	}
	insts := s.Send.Instances()
	if len(insts) != 1 || !insts[0].Frozen() {
		t.Fatalf("want one frozen instance, have %d (frozen: %v)", len(insts), len(insts) == 1 && insts[0].Frozen())
	}
	insts[0].Kill()
	<-insts[0].Exited()
	for _, id := range traces {
		if got := strings.Join(names(eventsOf(t, s, id)), ","); len(eventsOf(t, s, id)) != 3 {
			t.Errorf("trace %s: events after freeze and kill: %s", id, got)
		}
	}
}

// eventsOnStdout lists the events of traceID among the JSON lines of out.
func eventsOnStdout(out, traceID string) []string {
	var seen []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e map[string]string
		if json.Unmarshal(sc.Bytes(), &e) == nil && e["trace_id"] == traceID {
			seen = append(seen, e["event"])
		}
	}
	return seen
}

// With SLS out of reach the send still answers, and every event is on
// stdout as a JSON line (FC collects stdout itself).
func TestSLSUnreachableFallsBackToStdout(t *testing.T) {
	dead := testkit.RefusingAddr(t)
	s, out := startStack(t, stack.Options{SendEnv: map[string]string{"SMSFLOW_SLS_ENDPOINT": dead, "SMSFLOW_SLS_TIMEOUT": "300ms"}})
	rep := send(t, s, "application/json", otp("13944440001", "804613"))
	if rep.Status != 200 {
		t.Fatalf("send with SLS down: %d %s", rep.Status, rep.Raw)
	}
	traceID := rep.Header.Get("X-Trace-Id")
	// The function wrote its events before it answered; the FC emulator
	// copies a function's output from its pipe on a goroutine of its own
	// (FC collects it asynchronously too), so on a busy machine the lines
	// may land a moment after the answer.
	var seen []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		seen = eventsOnStdout(out.String(), traceID)
		if len(seen) >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if strings.Join(seen, ",") != "sms.request,sms.attempt,sms.result" {
		t.Fatalf("events on stdout: %v\n%s", seen, out.String())
	}
	if rows := eventsOf(t, s, traceID); len(rows) != 0 {
		t.Fatalf("events reached an SLS that was down?: %v", rows)
	}
	if strings.Contains(out.String(), "13944440001") || strings.Contains(out.String(), "804613") {
		t.Fatal("stdout leaks the number or the code")
	}
}
