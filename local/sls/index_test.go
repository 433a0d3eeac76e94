package sls

import (
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// conformance: SLS-08
func TestIndexCreateGetUpdateAppliesToNewDataOnly(t *testing.T) {
	env := newTestEnv(t, Options{})
	c := env.client
	_, err := c.GetIndex(testProject, testLogstore)
	asSLSError(t, err, "IndexConfigNotExist", 404)
	idx := testIndex()
	if err := c.CreateIndex(testProject, testLogstore, idx); err != nil {
		t.Fatalf("CreateIndex: %v", err)
	}
	asSLSError(t, c.CreateIndex(testProject, testLogstore, idx), "IndexAlreadyExist", 400)
	got, err := c.GetIndex(testProject, testLogstore)
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	if got.Keys["latency_ms"].Type != "long" || !got.Keys["latency_ms"].DocValue || got.Keys["message"].DocValue || got.Line == nil {
		t.Fatalf("GetIndex answered %+v", got)
	}

	now := time.Now()
	if err := c.PutLogs(testProject, testLogstore, groupOf(logOf(now, "status", "sent", "via", "old"))); err != nil {
		t.Fatal(err)
	}
	idx.Keys["via"] = slssdk.IndexKey{Type: "text", DocValue: true}
	if err := c.UpdateIndex(testProject, testLogstore, idx); err != nil {
		t.Fatalf("UpdateIndex: %v", err)
	}
	if got, _ := c.GetIndex(testProject, testLogstore); !got.Keys["via"].DocValue {
		t.Fatalf("update not visible: %+v", got.Keys["via"])
	}
	if err := c.PutLogs(testProject, testLogstore, groupOf(logOf(now, "status", "sent", "via", "new"))); err != nil {
		t.Fatal(err)
	}
	from, to := now.Unix(), now.Unix()+1
	if n := len(mustGetLogs(t, c, from, to, "via: old").Logs); n != 0 {
		t.Errorf("via: old matched %d logs; the key was not indexed when it arrived", n)
	}
	if n := len(mustGetLogs(t, c, from, to, "via: new").Logs); n != 1 {
		t.Errorf("via: new matched %d logs, want 1", n)
	}
	rows := mustGetLogs(t, c, from, to, "* | SELECT via, count(1) AS n GROUP BY via ORDER BY via").Logs
	if len(rows) != 2 || rows[0]["via"] != "new" || rows[1]["via"] != "null" {
		t.Errorf("SQL over old and new data = %v, want new then null", rows)
	}
}

// conformance: SLS-08
func TestIndexValidationAndDelete(t *testing.T) {
	env := newTestEnv(t, Options{})
	c := env.client
	bad := slssdk.Index{Keys: map[string]slssdk.IndexKey{"x": {Type: "blob"}}}
	asSLSError(t, c.CreateIndex(testProject, testLogstore, bad), "ParameterInvalid", 400)
	asSLSError(t, c.UpdateIndex(testProject, testLogstore, testIndex()), "IndexConfigNotExist", 404)
	if err := c.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteIndex(testProject, testLogstore); err != nil {
		t.Fatalf("DeleteIndex: %v", err)
	}
	_, err := c.GetIndex(testProject, testLogstore)
	asSLSError(t, err, "IndexConfigNotExist", 404)
}
