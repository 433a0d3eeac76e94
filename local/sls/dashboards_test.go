package sls

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

func sampleDashboard(query string) slssdk.Dashboard {
	return slssdk.Dashboard{
		DashboardName: "ops", DisplayName: "Ops", Description: "d",
		ChartList: []slssdk.Chart{{
			Title: "sends", Type: "line",
			Search:  slssdk.ChartSearch{Logstore: testLogstore, Query: query, Start: "-3600s", End: "now"},
			Display: slssdk.ChartDisplay{XAxisKeys: []string{"t"}, YAxisKeys: []string{"n"}, Width: 12, Height: 8, DisplayName: "Sends"},
		}},
	}
}

// The SDK's own calls round-trip a dashboard, and server attributes move
// only when a write happens.
// conformance: SLS-10
func TestDashboardLifecycleThroughTheSDK(t *testing.T) {
	// The clock only moves by a minute: signatures allow 15.
	now := time.Now().Truncate(time.Second)
	env := newTestEnv(t, Options{Now: func() time.Time { return now }})
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	c := env.client

	_, err := c.GetDashboard(testProject, "ops")
	asSLSError(t, err, codeDashboardNotExist, http.StatusNotFound)
	asSLSError(t, c.UpdateDashboard(testProject, sampleDashboard("*")), codeDashboardNotExist, http.StatusNotFound)

	if err := c.CreateDashboard(testProject, sampleDashboard("* | SELECT 1")); err != nil {
		t.Fatal(err)
	}
	asSLSError(t, c.CreateDashboard(testProject, sampleDashboard("*")), codeDashboardAlreadyExist, http.StatusBadRequest)

	got, err := c.GetDashboard(testProject, "ops")
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "Ops" || len(got.ChartList) != 1 || got.ChartList[0].Search.Query != "* | SELECT 1" ||
		got.ChartList[0].Display.YAxisKeys[0] != "n" {
		t.Fatalf("round trip: %+v", got)
	}
	if got.Attribute["version"] != "1" || got.Attribute["update"] != ms(now) {
		t.Fatalf("attributes after create: %v", got.Attribute)
	}

	now = now.Add(time.Minute)
	if err := c.UpdateDashboard(testProject, sampleDashboard("* | SELECT 2")); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetDashboard(testProject, "ops")
	if got.ChartList[0].Search.Query != "* | SELECT 2" || got.Attribute["version"] != "2" || got.Attribute["update"] != ms(now) {
		t.Fatalf("after update: %+v", got)
	}

	names, items, count, total, err := c.ListDashboardV2(testProject, "", 0, 10)
	if err != nil || count != 1 || total != 1 || names[0] != "ops" || items[0].DisplayName != "Ops" {
		t.Fatalf("list: %v %v %d %d %v", names, items, count, total, err)
	}
	if err := c.DeleteDashboard(testProject, "ops"); err != nil {
		t.Fatal(err)
	}
	asSLSError(t, c.DeleteDashboard(testProject, "ops"), codeDashboardNotExist, http.StatusNotFound)
}

// conformance: SLS-10
func TestDashboardNameInPathAndBodyMustAgree(t *testing.T) {
	env := newTestEnv(t, Options{})
	if err := env.client.CreateDashboard(testProject, sampleDashboard("*")); err != nil {
		t.Fatal(err)
	}
	err := env.client.UpdateDashboardString(testProject, "ops", `{"dashboardName":"other","charts":[]}`)
	asSLSError(t, err, codeParameterInvalid, http.StatusBadRequest)
}

// conformance: SLS-10
func TestDashboardsPersistAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	env := newTestEnv(t, Options{StateDir: dir})
	if err := env.client.CreateDashboard(testProject, sampleDashboard("*")); err != nil {
		t.Fatal(err)
	}
	env.srv.Close()
	again := newTestEnv(t, Options{StateDir: dir})
	if _, err := again.client.GetDashboard(testProject, "ops"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
