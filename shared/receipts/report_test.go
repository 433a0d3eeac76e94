package receipts

import (
	"strings"
	"testing"
	"time"
)

// Alibaba's documented example, trimmed to one receipt.
const alibabaPush = `[{"send_time":"2017-01-01 11:12:13","report_time":"2017-02-02 22:23:24","success":true,
"err_msg":"用户接收成功","err_code":"DELIVERED","phone_number":"18612345678","sms_size":"1",
"biz_id":"932702304080415357^0","out_id":"1184585343"}]`

// conformance: RC-01
func TestParsePushReadsAlibabasFormat(t *testing.T) {
	rs, err := ParsePush([]byte(alibabaPush))
	if err != nil || len(rs) != 1 {
		t.Fatalf("ParsePush: %v %v", rs, err)
	}
	r := rs[0]
	wantSend := time.Date(2017, 1, 1, 3, 12, 13, 0, time.UTC) // 11:12:13 Beijing
	if !r.SendTime.Equal(wantSend) || !r.Success || r.ErrCode != "DELIVERED" || r.SMSSize != 1 ||
		r.BizID != "932702304080415357^0" || r.OutID != "1184585343" || r.Phone.Upstream() != "18612345678" {
		t.Errorf("parsed %+v (send %s)", r, r.SendTime.UTC())
	}
	if got := r.Phone.Masked(); strings.Contains(got, "12345678") {
		t.Errorf("masked number %q shows the digits", got)
	}
}

func TestTimeToDelivery(t *testing.T) {
	for _, c := range []struct {
		send, report string
		want         time.Duration
	}{
		{"2026-11-27 20:00:00", "2026-11-27 20:00:03", 3 * time.Second},
		{"2026-11-27 23:59:59", "2026-11-28 00:00:01", 2 * time.Second}, // across midnight (Beijing)
		{"2026-11-27 20:00:05", "2026-11-27 20:00:04", 0},               // clock skew: never negative
	} {
		push := `[{"phone_number":"13800138000","send_time":"` + c.send + `","report_time":"` + c.report +
			`","success":true,"err_code":"DELIVERED","sms_size":"1","biz_id":"1^0"}]`
		rs, err := ParsePush([]byte(push))
		if err != nil {
			t.Fatal(err)
		}
		if got := rs[0].TimeToDelivery(); got != c.want {
			t.Errorf("%s -> %s: %s, want %s", c.send, c.report, got, c.want)
		}
	}
}

// conformance: RC-02
func TestParseAlibabaTimeIsBeijingTime(t *testing.T) {
	got, err := ParseAlibabaTime("2026-11-27 08:00:00")
	if err != nil || !got.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("got %s %v", got.UTC(), err)
	}
	if s := FormatAlibabaTime(got); s != "2026-11-27 08:00:00" {
		t.Errorf("round trip: %q", s)
	}
}

// conformance: RC-01
func TestParsePushLenientWhereAlibabaVaries(t *testing.T) {
	push := `[{"phone_number":"+8613800138000","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01",
"success":"false","err_code":"MK:0001","sms_size":2,"biz_id":"1^0","extra":"ignored"},
{"phone_number":"13800138000","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01","success":true,"biz_id":"1^0"}]`
	rs, err := ParsePush([]byte(push))
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Success || rs[0].SMSSize != 2 || rs[0].ErrCode != "MK:0001" {
		t.Errorf("first: %+v", rs[0])
	}
	if rs[1].SMSSize != 1 || rs[1].ErrCode != "DELIVERED" {
		t.Errorf("defaults: %+v", rs[1])
	}
}

func TestParsePushRefusesWithTheFieldNeverTheValue(t *testing.T) {
	good := `{"phone_number":"13800138000","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01","success":true,"sms_size":"1","biz_id":"1^0"}`
	for _, c := range []struct{ body, want string }{
		{``, "JSON array"},
		{`{"phone_number":"13800138000"}`, "JSON array"},
		{`[` + good + `,`, "not valid JSON"},
		{`[42]`, "receipt 0: a receipt must be a JSON object"},
		{`[` + good + `,` + strings.Replace(good, `"13800138000"`, `"not-a-number"`, 1) + `]`, "receipt 1: field phone_number"},
		{`[` + strings.Replace(good, `"biz_id":"1^0"`, `"biz_id":""`, 1) + `]`, "field biz_id: missing"},
		{`[` + strings.Replace(good, `"2026-11-27 20:00:00"`, `"2026-11-27T20:00:00Z"`, 1) + `]`, "field send_time: not yyyy-MM-dd HH:mm:ss"},
		{`[` + strings.Replace(good, `"success":true`, `"success":"yes"`, 1) + `]`, "field success"},
		{`[` + strings.Replace(good, `"success":true,`, ``, 1) + `]`, "field success: missing"},
		{`[` + strings.Replace(good, `"sms_size":"1"`, `"sms_size":"0"`, 1) + `]`, "field sms_size"},
		{`[` + strings.Replace(good, `"biz_id":"1^0"`, `"biz_id":7`, 1) + `]`, "receipt 0: not a receipt object"},
	} {
		_, err := ParsePush([]byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60s: error %v, want it to say %q", c.body, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "13800138000") || strings.Contains(err.Error(), "not-a-number") {
			t.Errorf("the error quotes a value: %v", err)
		}
	}
}

func TestParsePushReadsInternationalNumbersAsAlibabaWritesThem(t *testing.T) {
	for raw, want := range map[string]string{"85291234567": "85291234567", "12125551234": "12125551234", "13800138000": "13800138000"} {
		push := `[{"phone_number":"` + raw + `","send_time":"2026-11-27 20:00:00","report_time":"2026-11-27 20:00:01","success":true,"biz_id":"1^0"}]`
		rs, err := ParsePush([]byte(push))
		if err != nil || rs[0].Phone.Upstream() != want {
			t.Errorf("%s: %v %v", raw, rs, err)
		}
	}
}
