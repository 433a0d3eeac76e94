package failover

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smsflow/local/stack"
)

var (
	readmeFaultCurl = regexp.MustCompile(`curl -s -X ?(POST|DELETE) http://127\.0\.0\.1:(\d+)(/_emulator/faults)(?: -d '([^']*)')?`)
	readmeSendBody  = regexp.MustCompile(`-d "((?:[^"\\]|\\.)*)"`)
	readmeFailing   = regexp.MustCompile(`send 30 49 +# (\d{3})s`)
)

// The README's alert walk-through works against the stack `make run`
// starts, where Tencent stands by: the faults it arms make every send fail
// with the status it prints (a failover to a healthy Tencent would answer
// 200 and no alert would fire), and the faults it clears let sends through
// again.
func TestReadmeAlertWalkthroughFailsEverySend(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "**Make an alert fire")
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
