package provision

import (
	"slices"
	"strings"
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

// UpdateIndex replaces the whole index, so what provisioning sends is the
// existing index with ours laid over it: it adds our missing keys and
// fixes ours (type, analytics, tokens), and never removes a key or a
// token nor narrows a setting an operator made.
//
// conformance: SLS-08
func TestMergeIndexOnlyAddsAndWidens(t *testing.T) {
	want := Index()
	got := Index()
	delete(got.Keys, obs.KeyLatencyMS)
	got.Keys["team_ticket"] = sls.IndexKey{Type: "text", Token: []string{" "}, Alias: "ticket"}
	status := got.Keys[obs.KeyStatus]
	status.Token = append([]string{"|"}, status.Token[:3]...) // an operator's token, and ours partly
	status.CaseSensitive = true
	got.Keys[obs.KeyStatus] = status
	got.Keys[obs.KeyHTTPStatus] = sls.IndexKey{Type: "text", Token: []string{" "}, DocValue: true}
	code := got.Keys[obs.KeyErrorCode]
	code.DocValue = false
	got.Keys[obs.KeyErrorCode] = code
	got.Line = &sls.IndexLine{Token: []string{",", "#"}, ExcludeKeys: []string{"team_ticket"}}
	got.MaxTextLen, got.Ttl, got.LogReduce = 16384, 30, true

	p := MergeIndex(got, want)
	m := p.Index
	if k, ok := m.Keys["team_ticket"]; !ok || k.Alias != "ticket" {
		t.Errorf("the operator's key was not kept as it was: %+v", k)
	}
	for name, w := range want.Keys {
		k := m.Keys[name]
		if k.Type != w.Type || !k.DocValue || len(missing(k.Token, w.Token)) > 0 {
			t.Errorf("our key %s is not what we need: %+v", name, k)
		}
	}
	if s := m.Keys[obs.KeyStatus]; !slices.Contains(s.Token, "|") || !s.CaseSensitive {
		t.Errorf("the operator's token or case sensitivity on %s was dropped: %+v", obs.KeyStatus, s)
	}
	if m.Line == nil || !slices.Contains(m.Line.Token, "#") || len(missing(m.Line.Token, want.Line.Token)) > 0 ||
		!slices.Equal(m.Line.ExcludeKeys, []string{"team_ticket"}) {
		t.Errorf("full-text line: %+v", m.Line)
	}
	if m.MaxTextLen != 16384 || m.Ttl != 30 || !m.LogReduce {
		t.Errorf("settings narrowed: max_text_len %d, ttl %d, log_reduce %v", m.MaxTextLen, m.Ttl, m.LogReduce)
	}
	changed := strings.Join(p.Changed, "\n")
	for _, w := range []string{"added key " + obs.KeyLatencyMS, "fixed key " + obs.KeyHTTPStatus + ": type long (was text)",
		"fixed key " + obs.KeyErrorCode + ": analytics on", "fixed key " + obs.KeyStatus + ": ", "fixed the full-text index"} {
		if !strings.Contains(changed, w) {
			t.Errorf("changes lack %q:\n%s", w, changed)
		}
	}
	kept := strings.Join(p.Kept, ", ")
	for _, w := range []string{"key team_ticket", "max_text_len 16384", "ttl 30", "log_reduce", "exclude keys"} {
		if !strings.Contains(kept, w) {
			t.Errorf("kept lacks %q: %s", w, kept)
		}
	}
	if again := MergeIndex(m, want); len(again.Changed) > 0 {
		t.Errorf("a second merge changes %q", again.Changed)
	}
	if same := MergeIndex(want, want); len(same.Changed)+len(same.Kept) > 0 || !SameIndex(same.Index, want) {
		t.Errorf("our own index: changed %q, kept %q", same.Changed, same.Kept)
	}
}
