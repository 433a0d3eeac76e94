package sms

import (
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/shared/config"
	"smsflow/shared/creds"
)

// tea v1.2.2 turns ReadTimeout into http.Client.Timeout in milliseconds but
// ConnectTimeout into net.Dialer.Timeout in seconds (tea.go, setDialContext):
// the client must hand each in the unit tea reads, or a "1000 ms" connect
// bound becomes 16 minutes.
// conformance: DY-14
func TestClientTimeoutsAreInTheUnitsTeaReads(t *testing.T) {
	c := newClientCache(config.Dysms{Endpoint: "dysmsapi.aliyuncs.com", Protocol: "HTTPS", RegionID: "cn-hangzhou", ReadTimeout: 5 * time.Second})
	cl, err := c.build(creds.Triple{AccessKeyID: "id", AccessKeySecret: "secret", SecurityToken: "token"})
	if err != nil {
		t.Fatal(err)
	}
	if got := tea.IntValue(cl.ReadTimeout); got != 5000 {
		t.Errorf("ReadTimeout %d, want 5000 (ms)", got)
	}
	if got := tea.IntValue(cl.ConnectTimeout); got != 1 {
		t.Errorf("ConnectTimeout %d, want 1 (tea reads seconds)", got)
	}
}
