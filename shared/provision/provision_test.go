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
	want := Index()
	got := Index()
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

// Every field of the event schema is indexed, with analytics (alert rules
// and dashboards run SQL on it), text fields with the search tokens.
func TestIndexHoldsEveryFieldForAnalytics(t *testing.T) {
	idx := Index()
	if len(idx.Keys) != len(obs.Fields) {
		t.Errorf("%d keys indexed, %d fields in the schema", len(idx.Keys), len(obs.Fields))
	}
	for _, f := range obs.Fields {
		k, ok := idx.Keys[f.Key]
		if !ok || !k.DocValue || k.Type != f.Type || (f.Type == "text") != (len(k.Token) > 0) {
			t.Errorf("%q: indexed %v as %+v", f.Key, ok, k)
		}
	}
}
