package receipts

import (
	"strings"
	"testing"
)

// A provider's words about a receipt may quote the number ("号码…已停机"):
// the sms.receipt event hides it, as the send path hides it in SendSms
// answers (shared/scrub).
// conformance: TC-12
func TestAReceiptsWordsNeverCarryItsNumber(t *testing.T) {
	f := newFixture(t)
	body := `[{"phone_number":"13800138000","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01","success":false,` +
		`"err_code":"MK:0001","err_msg":"号码13800138000已停机 (138 0013 8000)","sms_size":"1","biz_id":"900619746936498440^0","out_id":""}]`
	if status, a := f.push(t, PushPathPrefix+testToken, body); status != 200 {
		t.Fatalf("alibaba push: %d %v", status, a)
	}
	if got := f.out.text(); strings.Contains(got, "13800138000") || strings.Contains(got, "138 0013 8000") || !strings.Contains(got, "已停机") {
		t.Errorf("want err_msg logged with its number hidden:\n%s", got)
	}

	out, h, _ := tencentFixture(t)
	tbody := `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","report_status":"FAIL",` +
		`"errmsg":"MK:0001","description":"用户13912345678已停机","sid":"2640:111"}]`
	if status, a := post(h, TencentPathPrefix+tencentToken, tbody); status != 200 {
		t.Fatalf("tencent push: %d %v", status, a)
	}
	if got := out.String(); strings.Contains(got, "13912345678") || !strings.Contains(got, "已停机") {
		t.Errorf("want description logged with its number hidden:\n%s", got)
	}
}

// Tencent documents no length for errmsg and description: a long one is
// cut to Alibaba's bounds, and the receipt is still taken.
// conformance: TC-12
func TestTencentTextIsCutNotRefused(t *testing.T) {
	out, h, _ := tencentFixture(t)
	long := strings.Repeat("长", 400) // past both bounds, within the fixture's body limit
	body := `[{"user_receive_time":"2026-12-02 16:00:05","nationcode":"86","mobile":"13912345678","report_status":"FAIL",` +
		`"errmsg":"` + long + `","description":"` + long + `","sid":"2640:111"}]`
	if status, a := post(h, TencentPathPrefix+tencentToken, body); status != 200 {
		t.Fatalf("a long text: %d %v, want the receipt taken", status, a)
	}
	got := out.String()
	if strings.Contains(got, strings.Repeat("长", maxErrMsgRunes)) || !strings.Contains(got, strings.Repeat("长", maxErrCodeRunes-1)+"…") {
		t.Errorf("want errmsg cut to %d and description to %d characters:\n%.600s", maxErrCodeRunes, maxErrMsgRunes, got)
	}
}

// Without a Tencent token the Tencent path is no route (docs/receipts.md),
// not an Alibaba push with a strange token.
func TestTheTencentPathWithoutTencentIsNoRoute(t *testing.T) {
	f := newFixture(t) // Alibaba only, as functions/receipts builds it without a Tencent hash
	status, a := f.push(t, TencentPathPrefix+"some-token", `[]`)
	if status != 404 {
		t.Errorf("status %d %+v, want 404", status, a)
	}
	if strings.Contains(f.out.text(), "unknown token") {
		t.Errorf("a Tencent push was logged as an Alibaba token failure:\n%s", f.out.text())
	}
	if status, _ := f.push(t, PushPathPrefix+testToken, `[]`); status != 200 {
		t.Errorf("Alibaba's own path: %d, want 200", status)
	}
}
