package sls

import (
	"strings"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// seedEvents indexes the logstore and writes five known events; it answers
// the minute-aligned base time T. Events sit at T, T+10, T+20, T+70, T+80.
func seedEvents(t *testing.T, env *testEnv) int64 {
	t.Helper()
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	at := func(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }
	group := groupOf(
		logOf(at(0), "status", "sent", "template_code", "SMS_A", "latency_ms", "100", "cost", "0.5", "message", "delivered to carrier ok"),
		logOf(at(10), "status", "failed", "template_code", "SMS_A", "error_code", "isv.BUSINESS_LIMIT_CONTROL", "latency_ms", "300", "cost", "1.5", "message", "limit control hit"),
		logOf(at(20), "status", "failed", "template_code", "SMS_B", "error_code", "isv.MOBILE_NUMBER_ILLEGAL", "latency_ms", "50", "cost", "2.0", "message", "bad number"),
		logOf(at(70), "status", "sent", "template_code", "SMS_B", "latency_ms", "200", "cost", "0.25", "message", "delivered ok"),
		logOf(at(80), "status", "sent", "template_code", "SMS_A", "latency_ms", "400", "cost", "1.0", "message", "delivered late", "via", "x"),
	)
	if err := env.client.PutLogs(testProject, testLogstore, group); err != nil {
		t.Fatalf("PutLogs: %v", err)
	}
	return base.Unix()
}

// conformance: SLS-07
func TestSearchSyntax(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	cases := []struct {
		query string
		want  []string // latency_ms of the matching events, oldest first
	}{
		{"*", []string{"100", "300", "50", "200", "400"}},
		{"", []string{"100", "300", "50", "200", "400"}},
		{"status: failed", []string{"300", "50"}},
		{`status: "failed"`, []string{"300", "50"}},
		{"status:FAILED", []string{"300", "50"}},
		{"status: failed and template_code: SMS_A", []string{"300"}},
		{"status: failed AND template_code: SMS_A", []string{"300"}},
		{"status: failed template_code: SMS_A", []string{"300"}},
		{"status: failed or template_code: SMS_B", []string{"300", "50", "200"}},
		{"not status: failed", []string{"100", "200", "400"}},
		{"status: sent and not (template_code: SMS_B or latency_ms > 300)", []string{"100"}},
		{`message: "delivered ok"`, []string{"200"}},
		{"delivered", []string{"100", "200", "400"}},
		{"deliv*", []string{"100", "200", "400"}},
		{`"carrier ok"`, []string{"100"}},
		{"latency_ms > 150", []string{"300", "200", "400"}},
		{"latency_ms >= 300", []string{"300", "400"}},
		{"latency_ms < 100", []string{"50"}},
		{"latency_ms in [100 300]", []string{"100", "300", "200"}},
		{"latency_ms: 300", []string{"300"}},
		{"error_code: isv.MOBILE_NUMBER_ILLEGAL", []string{"50"}},
		{"__topic__: send and status: failed", []string{"300", "50"}},
		{"via: x", nil}, // not indexed: no match, like SLS
		{"nothing-matches-this", nil},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			resp := mustGetLogs(t, env.client, base, base+120, tc.query)
			var got []string
			for _, row := range resp.Logs {
				got = append(got, row["latency_ms"])
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("%q matched %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

// conformance: SLS-06
func TestSearchTimeRangeOffsetLineReverse(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	resp := mustGetLogs(t, env.client, base+10, base+70, "*") // [from, to): T+70 excluded
	if len(resp.Logs) != 2 || resp.Logs[0]["latency_ms"] != "300" || resp.Logs[1]["latency_ms"] != "50" {
		t.Fatalf("[T+10, T+70) = %v", resp.Logs)
	}
	page, err := env.client.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{
		From: base, To: base + 120, Query: "*", Lines: 2, Offset: 1, Reverse: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Logs) != 2 || page.Logs[0]["latency_ms"] != "200" || page.Logs[1]["latency_ms"] != "50" {
		t.Fatalf("reverse offset 1 line 2 = %v", page.Logs)
	}
	// The older GetLogs (V2 response) rides on the same call.
	v2, err := env.client.GetLogs(testProject, testLogstore, "", base, base+120, "status: failed", 100, 0, false)
	if err != nil || v2.Count != 2 || !v2.IsComplete() {
		t.Fatalf("GetLogs v2: %v %+v", err, v2)
	}
}

// conformance: SLS-07, SLS-16
func TestSQLFunctions(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	T := itoa(base)
	T60 := itoa(base + 60)
	cases := []struct {
		name, query string
		want        []map[string]string
	}{
		{"count and count_if", "* | SELECT count(1) AS total, count_if(status='failed') AS failed",
			[]map[string]string{{"total": "5", "failed": "2"}}},
		{"sum avg min max on long", "* | SELECT sum(latency_ms) AS s, avg(latency_ms) AS a, min(latency_ms) AS mn, max(latency_ms) AS mx",
			[]map[string]string{{"s": "1050", "a": "210.0", "mn": "50", "mx": "400"}}},
		{"double column", "* | SELECT sum(cost) AS s, round(avg(cost), 2) AS a, round(sum(cost)) AS r",
			[]map[string]string{{"s": "5.25", "a": "1.05", "r": "5.0"}}},
		{"approx_percentile", "* | SELECT approx_percentile(latency_ms, 0.5) AS p50, approx_percentile(latency_ms, 0.99) AS p99, count(1) AS n",
			[]map[string]string{{"p50": "200", "p99": "400", "n": "5"}}},
		{"nullif", "* | SELECT count(nullif(status, 'sent')) AS n",
			[]map[string]string{{"n": "2"}}},
		{"date_trunc group order", "* | SELECT date_trunc('minute', __time__) AS t, count(1) AS total GROUP BY t ORDER BY t LIMIT 1000",
			[]map[string]string{{"t": T, "total": "3"}, {"t": T60, "total": "2"}}},
		{"search then group by", "status: failed | SELECT template_code, error_code, count(1) AS n GROUP BY template_code, error_code ORDER BY n DESC, template_code LIMIT 50",
			[]map[string]string{{"template_code": "SMS_A", "error_code": "isv.BUSINESS_LIMIT_CONTROL", "n": "1"}, {"template_code": "SMS_B", "error_code": "isv.MOBILE_NUMBER_ILLEGAL", "n": "1"}}},
		{"predicates answer true/false like Presto, CASE stays a number", "status: failed | SELECT status = 'failed' AS f, (latency_ms > 1000) AS slow, latency_ms > 0 and not (status = 'sent') AS both, CASE WHEN latency_ms > 1000 THEN 1 ELSE 0 END AS c, count(1) > 0 AS any_ GROUP BY status, latency_ms ORDER BY latency_ms LIMIT 1",
			[]map[string]string{{"f": "true", "slow": "false", "both": "true", "c": "0", "any_": "true"}}},
		{"case", "* | SELECT CASE WHEN latency_ms >= 300 THEN 'slow' ELSE 'fast' END AS speed, count(1) AS n GROUP BY speed ORDER BY speed",
			[]map[string]string{{"speed": "fast", "n": "3"}, {"speed": "slow", "n": "2"}}},
		{"arithmetic", "* | SELECT count_if(status='failed') * 100.0 / count(1) AS pct, max(latency_ms) - min(latency_ms) AS spread",
			[]map[string]string{{"pct": "40.0", "spread": "350"}}},
		{"where", "* | SELECT count(1) AS n WHERE latency_ms > 100", []map[string]string{{"n": "3"}}},
		{"from log", "* | SELECT count(1) AS n FROM log WHERE status = 'sent'", []map[string]string{{"n": "3"}}},
		{"from logstore name", "* | select count(1) as n from sms", []map[string]string{{"n": "5"}}},
		{"unnamed column", "* | SELECT count(1)", []map[string]string{{"_col0": "5"}}},
		{"null value", "* | SELECT error_code WHERE __time__ = " + T, []map[string]string{{"error_code": "null"}}},
		{"quoted identifier", `* | SELECT "status", count(1) AS "n" GROUP BY "status" ORDER BY "n" DESC`,
			[]map[string]string{{"status": "sent", "n": "3"}, {"status": "failed", "n": "2"}}},
		{"having", "* | SELECT template_code, count(1) AS n GROUP BY template_code HAVING count(1) > 2",
			[]map[string]string{{"template_code": "SMS_A", "n": "3"}}},
		{"group by ordinal", "* | SELECT status, count(1) AS n GROUP BY 1 ORDER BY 2 DESC",
			[]map[string]string{{"status": "sent", "n": "3"}, {"status": "failed", "n": "2"}}},
		{"group by expression", "* | SELECT date_trunc('hour', __time__) AS h, count(1) AS n WHERE __time__ <= " + itoa(base+20) + " GROUP BY date_trunc('hour', __time__)",
			[]map[string]string{{"h": itoa(base - base%3600), "n": "3"}}},
		{"time column", "* | SELECT min(__time__) AS first, max(__time__) - min(__time__) AS span",
			[]map[string]string{{"first": T, "span": "80"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := mustGetLogs(t, env.client, base, base+120, tc.query)
			if !resp.Meta.HasSQL {
				t.Error("meta.hasSQL = false")
			}
			if len(resp.Logs) != len(tc.want) {
				t.Fatalf("rows = %v, want %v", resp.Logs, tc.want)
			}
			for i, want := range tc.want {
				for k, v := range want {
					if resp.Logs[i][k] != v {
						t.Errorf("row %d %s = %q, want %q (row %v)", i, k, resp.Logs[i][k], v, resp.Logs[i])
					}
				}
				if len(resp.Logs[i]) != len(want) {
					t.Errorf("row %d has keys %v, want %v", i, resp.Logs[i], want)
				}
			}
		})
	}
}

// conformance: SLS-07
func TestSQLWithoutLimitReturnsAtMost100Rows(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var logs []*slssdk.Log
	for i := 0; i < 150; i++ {
		logs = append(logs, logOf(now, "latency_ms", itoa(int64(i))))
	}
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logs...)); err != nil {
		t.Fatal(err)
	}
	resp := mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "* | SELECT latency_ms")
	if len(resp.Logs) != 100 {
		t.Fatalf("rows without LIMIT = %d, want 100", len(resp.Logs))
	}
	resp = mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "* | SELECT latency_ms LIMIT 120")
	if len(resp.Logs) != 120 {
		t.Fatalf("rows with LIMIT 120 = %d", len(resp.Logs))
	}
	raw := mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "*")
	if len(raw.Logs) != 100 {
		t.Fatalf("raw search lines = %d, want 100", len(raw.Logs))
	}
}

// conformance: SLS-07
func TestSQLRefusals(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	cases := []struct {
		name, query, wantIn string
	}{
		{"text key without analytics", "* | SELECT message", "line 1:8: Column 'message' cannot be resolved;please add the column in the index attribute"},
		{"position on a later line", "* | SELECT count(1) AS n\nFROM log\nWHERE  via = 'x'", "line 3:8: Column 'via' cannot be resolved"},
		{"quoted string mistaken for column", `* | SELECT count(1) AS n WHERE status = "sent"`, "it seems sent is wrapper by"},
		{"sql without search", "SELECT count(1)", "sql query must follow search query"},
		{"leading wildcard", "*sent", "only support * or ? in the middle or end of the query"},
		{"key not in index", "* | SELECT count(1) AS n WHERE via = 'x'", "Column 'via' cannot be resolved"},
		{"unknown function", "* | SELECT foo(status)", "line 1:8: Function foo not registered"},
		{"sqlite-only function", "* | SELECT printf('%d', latency_ms)", "Function printf not registered"},
		{"join", "* | SELECT count(1) FROM log JOIN other ON true", "JOIN is not supported"},
		{"subquery", "* | SELECT count(1) FROM (SELECT status FROM log)", "subqueries are not supported"},
		{"union", "* | SELECT status FROM log UNION SELECT status FROM log", "UNION is not supported"},
		{"other table", "* | SELECT count(1) FROM users", "Table 'users' does not exist"},
		{"not a select", "* | DELETE FROM log", "SELECT statements only"},
		{"two statements", "* | SELECT 1; SELECT 2", "only one statement"},
		{"text column against a number", "* | SELECT count(1) AS n WHERE status > 100", "line 1:35: '>' cannot be applied to varchar, integer"},
		{"number column against a string", "* | SELECT count(1) AS n WHERE latency_ms = '100'", "'=' cannot be applied to bigint, varchar(3)"},
		{"array literal", "* | SELECT approx_percentile(latency_ms, ARRAY[0.5, 0.9]) AS p", "ARRAY is not supported"},
		// Presto types the argument: a varchar is refused whatever it holds.
		{"percentile of a text column", "* | SELECT approx_percentile(status, 0.5) AS p", "Unexpected parameters (varchar, double) for function approx_percentile"},
		{"percentile of a numeric string", "* | SELECT approx_percentile('100', 0.5) AS p", "Unexpected parameters (varchar, double) for function approx_percentile"},
		{"count_if of a text column", "* | SELECT count_if(status) AS n", "Unexpected parameters (varchar) for function count_if"},
		{"sqlite glob", "* | SELECT count(1) WHERE status GLOB 'f*'", "GLOB is not supported"},
		{"sqlite rowid", "* | SELECT max(rowid)", "Column 'rowid' cannot be resolved"},
		{"double-quoted unknown column", `* | SELECT "nope"`, "Column 'nope' cannot be resolved"},
		{"syntax error", "* | SELECT count(1) FROM log WHERE", "line 1:"},
		{"search syntax", "status: (failed", "invalid query"},
		{"bare column in aggregate", "* | SELECT status, count(1) AS n", "line 1:8: Column 'status' not in GROUP BY clause;please add the column in the index attribute"},
		{"ungrouped column", "* | SELECT status, template_code, count(1) AS n GROUP BY status", "line 1:16: Column 'template_code' not in GROUP BY clause"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := env.client.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{From: base, To: base + 120, Query: tc.query})
			asSLSError(t, err, "ParameterInvalid", 400)
			if msg := err.(*slssdk.Error).Message; !strings.Contains(msg, tc.wantIn) {
				t.Fatalf("message %q does not contain %q", msg, tc.wantIn)
			}
		})
	}
}

// conformance: SLS-07
func TestGetLogsWithoutIndexIsRefused(t *testing.T) {
	env := newTestEnv(t, Options{})
	_, err := env.client.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{From: 0, To: time.Now().Unix(), Query: "*"})
	asSLSError(t, err, "IndexConfigNotExist", 400)
}

// conformance: SLS-06
func TestGetHistogramsCountsMatchesPerInterval(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	resp, err := env.client.GetHistogramsV2(testProject, testLogstore, &slssdk.GetHistogramRequest{
		From: base, To: base + 120, Query: "status: sent", Interval: 60})
	if err != nil {
		t.Fatalf("GetHistograms: %v", err)
	}
	if !resp.IsComplete() || resp.Count != 3 || len(resp.Histograms) != 2 ||
		resp.Histograms[0].Count != 1 || resp.Histograms[1].Count != 2 || resp.Histograms[1].From != base+60 {
		t.Fatalf("histograms = %+v", resp)
	}
}

// conformance: SLS-06
func TestGetLogsParameterChecks(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	for _, tc := range []struct {
		req  slssdk.GetLogRequest
		code string
	}{
		{slssdk.GetLogRequest{From: base, To: base, Query: "*"}, "InvalidTimeRange"},
		{slssdk.GetLogRequest{From: base + 10, To: base, Query: "*"}, "InvalidTimeRange"},
		{slssdk.GetLogRequest{From: base, To: base + 120, Query: "*", Lines: 101}, "InvalidLine"},
		{slssdk.GetLogRequest{From: base, To: base + 120, Query: "*", Offset: -1}, "InvalidOffset"},
	} {
		_, err := env.client.GetLogsV3(testProject, testLogstore, &tc.req)
		asSLSError(t, err, tc.code, 400)
	}
}

// conformance: SLS-06
func TestGetLogsAnswersZstdWhenAsked(t *testing.T) {
	env := newTestEnv(t, Options{})
	base := seedEvents(t, env)
	resp, err := env.client.GetLogsV3(testProject, testLogstore, &slssdk.GetLogRequest{
		From: base, To: base + 120, Query: "* | SELECT count(1) AS n", CompressType: slssdk.Compress_ZSTD})
	if err != nil || len(resp.Logs) != 1 || resp.Logs[0]["n"] != "5" {
		t.Fatalf("zstd GetLogs = %+v, %v", resp, err)
	}
}
