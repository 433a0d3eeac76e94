package dashboard

import (
	"strings"
	"testing"

	"smsflow/shared/alert"
)

// A chart that names alert rules must measure exactly what they measure:
// the same search and the same value expression as their compiled query.
func TestChartsReuseTheAlertRulesMeasures(t *testing.T) {
	cfg, err := alert.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]alert.Rule{}
	for _, r := range cfg.Rules {
		rules[r.Name] = r
	}
	covered := map[string]bool{}
	for _, c := range Charts() {
		for _, name := range c.Rules {
			r, ok := rules[name]
			if !ok {
				t.Errorf("chart %s names rule %q, which the default rules do not have", c.ID, name)
				continue
			}
			covered[name] = true
			r.GroupBy, r.Filter = nil, "" // the chart shows the whole, not one group
			search, sql, _ := strings.Cut(r.CompiledQuery(), " | SELECT ")
			if !strings.HasPrefix(c.Query, search+" | SELECT ") {
				t.Errorf("chart %s searches %q, rule %s searches %q", c.ID, c.Query, name, search)
			}
			if expr, ok := valueExpr(sql); !ok || !strings.Contains(c.Query, expr) {
				t.Errorf("chart %s does not compute rule %s's measure %q:\n%s", c.ID, name, expr, c.Query)
			}
		}
	}
	for name, r := range rules {
		if r.Kind != "" && !covered[name] {
			t.Errorf("default rule %s (%s) has no chart", name, r.Kind)
		}
	}
}

func TestValueExprSplitsOnTopLevelCommasOnly(t *testing.T) {
	got, ok := valueExpr("count(1) AS samples, count_if(status IN ('a', 'b')) * 1.0 / greatest(count(1), 1) AS value, x AS y")
	if !ok || got != "count_if(status IN ('a', 'b')) * 1.0 / greatest(count(1), 1)" {
		t.Fatalf("got %q %v", got, ok)
	}
	if _, ok := valueExpr("count(1) AS n"); ok {
		t.Fatal("found a value column in a list without one")
	}
}

func TestSLSDashboardHasEveryChartWithItsQuery(t *testing.T) {
	d := SLS("sms")
	charts := Charts()
	if d.DashboardName != Name || len(d.ChartList) != len(charts) {
		t.Fatalf("dashboard %q with %d charts, want %q with %d", d.DashboardName, len(d.ChartList), Name, len(charts))
	}
	for i, c := range d.ChartList {
		if c.Title != charts[i].ID || c.Search.Query != charts[i].Query || c.Search.Logstore != "sms" {
			t.Errorf("chart %d: %+v", i, c)
		}
	}
}
