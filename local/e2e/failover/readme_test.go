package failover

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsflow/local/stack"
)

var (
	readmeFaultCurl = regexp.MustCompile(`curl -s -X ?(POST|DELETE) http://127\.0\.0\.1:(\d+)(/_emulator/faults)(?: -d '([^']*)')?`)
	readmeSendBody  = regexp.MustCompile(`-d "((?:[^"\\]|\\.)*)"`)
	readmeFailing   = regexp.MustCompile(`send 30 49 +# (\d{3})s`)
	readmeTryItBody = regexp.MustCompile(`-d '(\{[^']*\})'`)
	columns         = regexp.MustCompile(`\s{2,}`)
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The timeline the README prints under "Try it" has the shape of what
// `go run ./local trace <id>` prints for the README's curl on the stack
// `make run` starts (Tencent standing by, receipts pushed): the same
// events in the same order, each with the same words and field names (the
// values, times and ids differ from run to run).
func TestReadmeTraceIsWhatTracePrints(t *testing.T) {
	_, tryIt, _ := strings.Cut(readme(t), "\n## Try it\n")
	tryIt, _, _ = strings.Cut(tryIt, "\n## ")
	body := readmeTryItBody.FindStringSubmatch(tryIt)
	_, printed, ok := strings.Cut(tryIt, "\n```\ntrace ")
	printed, _, ok2 := strings.Cut(printed, "```")
	if body == nil || !ok || !ok2 {
		t.Fatal("README.md's Try it has no curl -d '{...}' or no printed trace")
	}
	reset(shared)
	r := send(t, shared, body[1])
	traceID := r.str("trace_id")
	if r.Status != 200 || traceID == "" {
		t.Fatalf("the README's curl answered %d %s", r.Status, r.Raw)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if slices.ContainsFunc(eventsOf(t, shared, traceID), func(e map[string]string) bool { return e["event"] == "sms.receipt" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no receipt in trace %s", traceID)
		}
	}
	// Flags after the id, as a user who pasted the id first types them.
	cmd := exec.Command("go", "run", "./local", "trace", traceID, "-endpoint", shared.SLSAddr)
	cmd.Dir = "../../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trace: %v\n%s", err, out)
	}
	_, real, _ := strings.Cut(string(out), "trace ")
	want, got := timelineShape(printed), timelineShape(real)
	if len(want) < 3 {
		t.Fatalf("parsed %d lines of the README's timeline: the parser is broken", len(want))
	}
	if !slices.Equal(want, got) {
		js := func(v []string) string { b, _ := json.MarshalIndent(v, "", "  "); return string(b) }
		t.Errorf("the README prints\n%s\ntrace prints\n%s\n(shapes: README %s, trace %s)", printed, real, js(want), js(got))
	}
}

// timelineShape reduces a printed timeline (after its leading "trace ") to
// what stays from run to run: per line the event and its words and field
// names, without times, offsets and values.
func timelineShape(text string) []string {
	var shape []string
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		cols := columns.Split(strings.TrimSpace(line), -1)
		switch {
		case i == 0 && len(cols) == 2: // "<id>  (4 events)"
			shape = append(shape, cols[1])
			continue
		case strings.HasPrefix(cols[0], "=>"):
			shape = append(shape, cols[0])
			continue
		case len(cols) < 3:
			shape = append(shape, line)
			continue
		}
		words := []string{cols[2]} // cols[0], cols[1]: the time and the offset
		for _, c := range cols[3:] {
			if k, _, ok := strings.Cut(c, "="); ok {
				c = k + "="
			}
			words = append(words, c)
		}
		shape = append(shape, strings.Join(words, " "))
	}
	return shape
}

// The README's alert walk-through works against the stack `make run`
// starts, where Tencent stands by: the faults it arms make every send fail
// with the status it prints (a failover to a healthy Tencent would answer
// 200 and no alert would fire), and the faults it clears let sends through
// again.
func TestReadmeAlertWalkthroughFailsEverySend(t *testing.T) {
	_, section, ok := strings.Cut(readme(t), "**Make an alert fire")
	section, _, ok2 := strings.Cut(section, "\nMore (")
	if !ok || !ok2 {
		t.Fatal("README.md has no alert walk-through ('**Make an alert fire' ... 'More (')")
	}
	want := readmeFailing.FindStringSubmatch(section)
	body := readmeSendBody.FindStringSubmatch(section)
	if want == nil || body == nil {
		t.Fatal("the walk-through has no `send` body or no `send 30 49  # NNNs` line")
	}
	message := func(i int) string {
		b := strings.ReplaceAll(body[1], `\"`, `"`)
		return strings.ReplaceAll(b, "$i", strconv.Itoa(i))
	}
	hosts := map[string]string{strconv.Itoa(stack.DefaultDysmsPort): shared.DysmsAddr,
		strconv.Itoa(stack.DefaultTencentPort): shared.TencentAddr}
	apply := func(method string) int {
		n := 0
		for _, m := range readmeFaultCurl.FindAllStringSubmatch(section, -1) {
			if m[1] != method {
				continue
			}
			host, ok := hosts[m[2]]
			if !ok {
				t.Fatalf("the walk-through calls port %s, which is neither emulator's default", m[2])
			}
			req, _ := http.NewRequest(method, "http://"+host+m[3], strings.NewReader(m[4]))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				t.Fatalf("%s %s%s %s: %d", method, m[2], m[3], m[4], resp.StatusCode)
			}
			n++
		}
		return n
	}
	reset(shared)
	defer reset(shared)
	if r := send(t, shared, message(10)); r.Status != 200 {
		t.Fatalf("good traffic before the faults: %d %s", r.Status, r.Raw)
	}
	if apply(http.MethodPost) == 0 {
		t.Fatal("the walk-through arms no fault")
	}
	for i := 30; i < 33; i++ {
		if r := send(t, shared, message(i)); strconv.Itoa(r.Status) != want[1] {
			t.Fatalf("with the walk-through's faults a send answered %d %s, the README says %ss", r.Status, r.Raw, want[1])
		}
	}
	if apply(http.MethodDelete) == 0 {
		t.Fatal("the walk-through clears no fault")
	}
	if r := send(t, shared, message(50)); r.Status != 200 {
		t.Fatalf("after the walk-through clears its faults: %d %s", r.Status, r.Raw)
	}
}
