package provision

import (
	"slices"
	"testing"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/dashboard"
	"smsflow/shared/obs"
)

// SLS answers GetIndex with its own additions and in its own order; only
// what smsflow sets counts as a difference.
func TestSameIndexComparesWhatSmsflowSets(t *testing.T) {
	want := obs.Index()
	got := obs.Index()
	k := got.Keys[obs.KeyStatus]
	k.Token = slices.Clone(k.Token)
	slices.Reverse(k.Token)
	got.Keys[obs.KeyStatus] = k
	got.Ttl = 30
	got.MaxTextLen = 2048
	if !SameIndex(got, want) {
		t.Fatal("token order or server-side settings made a difference")
	}
	got.Keys[obs.KeyLatencyMS] = sls.IndexKey{Type: "text", DocValue: true}
	if SameIndex(got, want) {
		t.Fatal("a changed key type went unnoticed")
	}
	delete(got.Keys, obs.KeyLatencyMS)
	if SameIndex(got, want) {
		t.Fatal("a missing key went unnoticed")
	}
}

func TestSameDashboardIgnoresServerAttributes(t *testing.T) {
	want := dashboard.SLS("sms")
	got := dashboard.SLS("sms")
	got.Attribute = map[string]string{"update": "1772461212344", "version": "7"}
	if !SameDashboard(got, want) {
		t.Fatal("server attributes made a difference")
	}
	got.ChartList[0].Search.Query = "*"
	if SameDashboard(got, want) {
		t.Fatal("a changed query went unnoticed")
	}
}
