package sls

import (
	"testing"
	"time"
)

func TestLogsIndexAndCursorsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	first := newTestEnv(t, Options{StateDir: dir})
	if err := first.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := first.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "status", "failed", "latency_ms", "42"))); err != nil {
		t.Fatal(err)
	}
	first.ts.Close()
	if err := first.srv.Close(); err != nil {
		t.Fatal(err)
	}

	second := newTestEnv(t, Options{StateDir: dir})
	resp := mustGetLogs(t, second.client, now.Unix(), now.Unix()+1, "status: failed | SELECT sum(latency_ms) AS s")
	if len(resp.Logs) != 1 || resp.Logs[0]["s"] != "42" {
		t.Fatalf("after restart: %v", resp.Logs)
	}
	got, _ := pullAll(t, second.client, 0)
	if len(got) != 1 || got[0] != "failed" {
		t.Fatalf("cursor read after restart: %v", got)
	}
	if _, err := second.client.GetIndex(testProject, testLogstore); err != nil {
		t.Fatalf("index lost: %v", err)
	}
}
