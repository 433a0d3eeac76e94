package dysms

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
)

func adminCall(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := plainClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

func TestAdminAPI(t *testing.T) {
	_, addr := startEmulator(t, Options{})
	base := "http://" + addr + "/_emulator/"
	if status, _ := adminCall(t, "GET", base+"healthz", ""); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	status, body := adminCall(t, "POST", base+"faults", `{"kind":"http503","action":"SendSms","count":2,"latency":"10ms"}`)
	var f Fault
	if status != 201 || json.Unmarshal(body, &f) != nil || f.ID == 0 || f.Count != 2 || f.Latency.Milliseconds() != 10 {
		t.Fatalf("POST faults: %d %s", status, body)
	}
	if status, body := adminCall(t, "POST", base+"faults", `{"kind":"meteor"}`); status != 400 {
		t.Errorf("unknown kind: %d %s", status, body)
	}
	client := sdkClient(t, addr, localPair, 5000)
	_, err := client.SendSms(otpRequest("13912345678", "4821"))
	wantGatewayError(t, err, 503, "ServiceUnavailable")
	if status, body := adminCall(t, "GET", base+"faults", ""); status != 200 || !strings.Contains(string(body), `"count":1`) {
		t.Errorf("GET faults after one use: %d %s", status, body)
	}
	if status, _ := adminCall(t, "DELETE", base+"faults", ""); status != 204 {
		t.Errorf("DELETE faults: %d", status)
	}
	if resp, err := client.SendSms(otpRequest("13912345678", "4821")); err != nil || tea.StringValue(resp.Body.Code) != "OK" {
		t.Fatalf("after DELETE faults: %v", err)
	}
	_, body = adminCall(t, "GET", base+"messages?phone=%2B8613912345678", "")
	var listed struct{ Messages []Message }
	if err := json.Unmarshal(body, &listed); err != nil || len(listed.Messages) != 1 || listed.Messages[0].Params["code"] != "4821" {
		t.Fatalf("GET messages: %s", body)
	}
	_, body = adminCall(t, "GET", base+"stats", "")
	var st Stats
	if err := json.Unmarshal(body, &st); err != nil || st.Requests["SendSms"] != 2 || st.Accepted != 1 || st.Outcomes["ServiceUnavailable"] != 1 {
		t.Fatalf("GET stats: %s", body)
	}
	if status, body := adminCall(t, "POST", base+"clock", `{"advance":"90m"}`); status != 200 || !strings.Contains(string(body), `"offset":"1h30m0s"`) {
		t.Errorf("POST clock: %d %s", status, body)
	}
	if status, _ := adminCall(t, "POST", base+"clock", `{"advance":"-1h"}`); status != 400 {
		t.Errorf("POST clock backwards: %d, want 400", status)
	}
	if status, _ := adminCall(t, "POST", base+"reset", ""); status != 204 {
		t.Errorf("reset: %d", status)
	}
	_, body = adminCall(t, "GET", base+"messages", "")
	if !strings.Contains(string(body), `"messages":[]`) {
		t.Errorf("messages after reset: %s", body)
	}
	if status, _ := adminCall(t, "GET", base+"nothing", ""); status != 404 {
		t.Errorf("unknown admin route: %d", status)
	}
}
