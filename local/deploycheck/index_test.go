package deploycheck

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/alert"
	"smsflow/shared/dashboard"
	"smsflow/shared/obs"
	"smsflow/shared/provision"
)

var update = flag.Bool("update", false, "rewrite template.yaml's generated index block from provision.Index()")

const (
	indexBegin = "      # BEGIN provision.Index()"
	indexEnd   = "      # END provision.Index()"
)

// templateIndex reads the ALIYUN::SLS::Index of the events' logstore as
// the SDK's Index, so it compares with provision.Index() the way provisioning
// compares with SLS.
func templateIndex(t testing.TB, d descriptors) sls.Index {
	t.Helper()
	var found []map[string]any
	for _, r := range d.ROS.ofType("ALIYUN::SLS::Index") {
		if get(r, "Properties", "LogstoreName", "Ref") == "LogstoreName" {
			found = append(found, asMap(r["Properties"]))
		}
	}
	if len(found) != 1 {
		t.Fatalf("template.yaml: want one ALIYUN::SLS::Index on {Ref: LogstoreName}, found %d", len(found))
	}
	p := found[0]
	idx := sls.Index{Keys: map[string]sls.IndexKey{}}
	if ft := asMap(p["FullTextIndex"]); ft["Enable"] == true {
		idx.Line = &sls.IndexLine{Token: chars(str(ft["Delimiter"])), CaseSensitive: ft["CaseSensitive"] == true, Chn: ft["IncludeChinese"] == true}
	}
	keys, _ := p["KeyIndices"].([]any)
	for _, k := range keys {
		k := asMap(k)
		ik := sls.IndexKey{Type: str(k["Type"]), DocValue: k["EnableAnalytics"] == true,
			CaseSensitive: k["CaseSensitive"] == true, Chn: k["IncludeChinese"] == true, Alias: str(k["Alias"])}
		if ik.Type == "text" {
			ik.Token = chars(str(k["Delimiter"]))
		}
		idx.Keys[str(k["Name"])] = ik
	}
	return idx
}

func chars(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

// indexBlock renders provision.Index() as template.yaml's generated block, in
// obs.Fields order.
func indexBlock() string {
	idx := provision.Index()
	var b strings.Builder
	b.WriteString(indexBegin + ": generated, do not edit. After changing shared/obs run\n")
	b.WriteString("      #   go test ./local/deploycheck -run TestTemplateIndexIsObsIndex -update\n")
	b.WriteString("      FullTextIndex:\n        Enable: true\n")
	b.WriteString("        CaseSensitive: " + strconv.FormatBool(idx.Line.CaseSensitive) + "\n")
	b.WriteString("        IncludeChinese: " + strconv.FormatBool(idx.Line.Chn) + "\n")
	b.WriteString("        Delimiter: " + strconv.Quote(strings.Join(idx.Line.Token, "")) + "\n")
	b.WriteString("      KeyIndices:\n")
	names := make([]string, 0, len(idx.Keys))
	order := map[string]int{}
	for i, f := range obs.Fields {
		order[f.Key] = i
	}
	for k := range idx.Keys {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	for _, n := range names {
		k := idx.Keys[n]
		b.WriteString("        - {Name: " + n + ", Type: " + k.Type + ", EnableAnalytics: " + strconv.FormatBool(k.DocValue))
		if k.Type == "text" {
			b.WriteString(", CaseSensitive: " + strconv.FormatBool(k.CaseSensitive) + ", Delimiter: " + strconv.Quote(strings.Join(k.Token, "")))
		}
		b.WriteString("}\n")
	}
	b.WriteString(indexEnd + "\n")
	return b.String()
}

// conformance: SLS-08
func TestTemplateIndexIsObsIndex(t *testing.T) {
	if *update {
		path := filepath.Join(repoRoot(t), "template.yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?s)` + regexp.QuoteMeta(indexBegin) + `.*?` + regexp.QuoteMeta(indexEnd) + `\n`)
		if !re.Match(b) {
			t.Fatal("template.yaml: generated index markers not found")
		}
		out := re.ReplaceAllLiteral(b, []byte(indexBlock()))
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := templateIndex(t, loadDescriptors(t))
	want := provision.Index()
	if !provision.SameIndex(got, want) {
		var missing, extra []string
		for k := range want.Keys {
			if _, ok := got.Keys[k]; !ok {
				missing = append(missing, k)
			}
		}
		for k := range got.Keys {
			if _, ok := want.Keys[k]; !ok {
				extra = append(extra, k)
			}
		}
		t.Fatalf("template.yaml's index is not provision.Index() (missing %v, extra %v, or types/tokens differ): run\n"+
			"  go test ./local/deploycheck -run TestTemplateIndexIsObsIndex -update", missing, extra)
	}
}

func indexedFields() map[string]bool {
	out := map[string]bool{}
	for _, f := range obs.Fields {
		out[f.Key] = true
	}
	return out
}

// Every field a function logs is indexed: a field missing from obs.Fields
// cannot be searched or charted.
func TestLoggedFieldsAreIndexed(t *testing.T) {
	indexed := indexedFields()
	for _, name := range functionDirs(t) {
		var missing []string
		for k := range analyse(t, name).LogKeys {
			if !indexed[k] {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("functions/%s logs fields that obs.Fields does not index: %v", name, missing)
		}
	}
}

// Every field the alert rules and the dashboard query is in the schema.
func TestQueriedFieldsAreIndexed(t *testing.T) {
	indexed := indexedFields()
	for what, q := range defaultQueries(t) {
		for _, f := range queryFields(q) {
			if !indexed[f] {
				t.Errorf("%s queries %q, which obs.Fields does not index:\n%s", what, f, q)
			}
		}
	}
}

// Every field the alert rules and the dashboard query is logged by some
// function: an indexed field nothing writes (a renamed or dropped key)
// would leave a rule reading nulls forever, and no alert.
func TestQueriedFieldsAreLogged(t *testing.T) {
	logged := loggedKeys(t)
	for _, p := range queriedButNotLogged(defaultQueries(t), logged) {
		t.Error(p)
	}
}

func TestCatchesAQueriedFieldNothingLogs(t *testing.T) {
	logged := loggedKeys(t)
	delete(logged, "time_to_delivery_ms")
	mustReport(t, queriedButNotLogged(defaultQueries(t), logged), `queries "time_to_delivery_ms", which no function logs`)
}

// loggedKeys are the field keys some function logs.
func loggedKeys(t *testing.T) map[string]bool {
	logged := map[string]bool{}
	for _, name := range functionDirs(t) {
		for k := range analyse(t, name).LogKeys {
			logged[k] = true
		}
	}
	return logged
}

// defaultQueries are the default rules' and the dashboard's queries.
func defaultQueries(t *testing.T) map[string]string {
	cfg, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	queries := map[string]string{}
	for _, r := range cfg.Rules {
		queries["rule "+r.Name] = r.CompiledQuery()
	}
	for _, c := range dashboard.Charts() {
		queries["chart "+c.ID] = c.Query
	}
	return queries
}

func queriedButNotLogged(queries map[string]string, logged map[string]bool) []string {
	var out []string
	for what, q := range queries {
		for _, f := range queryFields(q) {
			if !logged[f] {
				out = append(out, fmt.Sprintf("%s queries %q, which no function logs", what, f))
			}
		}
	}
	sort.Strings(out)
	return out
}

var (
	searchKey  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*)\s*(?::|>=|<=|>|<|=| in \[)`)
	sqlWord    = regexp.MustCompile(`"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?`)
	quotedStr  = regexp.MustCompile(`'(?:[^']|'')*'`)
	dquotedStr = regexp.MustCompile(`"[^"]*"`)
	aliasDecl  = regexp.MustCompile(`(?i)\bAS\s+("?)([A-Za-z_][A-Za-z0-9_]*)"?`)
)

var sqlKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`select from where group by order limit as and or not in is null case when then
		else end desc asc having between like cast bigint double varchar true false log distinct on`) {
		sqlKeywords[k] = true
	}
}

// queryFields lists the log fields a `search | SQL` query uses: keys of
// the search, columns of the SQL (not functions, keywords, aliases,
// literals, or SLS's own __time__/__topic__/__source__).
func queryFields(q string) []string {
	search, sql, _ := strings.Cut(q, "|")
	seen := map[string]bool{}
	for _, m := range searchKey.FindAllStringSubmatch(dquotedStr.ReplaceAllString(search, `""`), -1) {
		if !sqlKeywords[strings.ToLower(m[1])] {
			seen[m[1]] = true
		}
	}
	sql = quotedStr.ReplaceAllString(sql, "''")
	aliases := map[string]bool{}
	for _, m := range aliasDecl.FindAllStringSubmatch(sql, -1) {
		aliases[m[2]] = true
	}
	sql = aliasDecl.ReplaceAllString(sql, "")
	for _, m := range sqlWord.FindAllStringSubmatch(sql, -1) {
		word := m[1] + m[2]
		switch {
		case m[1] != "": // a "quoted" identifier is always a column
			seen[word] = true
		case m[3] != "": // a function call
		case sqlKeywords[strings.ToLower(word)], aliases[word], strings.HasPrefix(word, "__"):
		default:
			seen[word] = true
		}
	}
	return sorted(seen)
}

func TestQueryFieldsFindsColumnsNotNoise(t *testing.T) {
	got := queryFields(`event: "sms.result" and delivered: true | SELECT date_trunc('minute', __time__) AS t, "group", ` +
		`count_if(status IN ('failed', 'unknown')) * 1.0 / greatest(count(1), 1) AS value FROM log WHERE latency_ms > 3 GROUP BY t ORDER BY value`)
	want := "delivered event group latency_ms status"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}
