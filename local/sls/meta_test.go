package sls

import (
	"testing"
)

func TestProjectAndLogstoreManagement(t *testing.T) {
	env := newTestEnv(t, Options{})
	c := env.client
	if _, err := c.CreateProject("proj-two", "second project"); err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	_, err := c.CreateProject("proj-two", "again")
	asSLSError(t, err, "ProjectAlreadyExist", 400)
	p, err := c.GetProject("proj-two")
	if err != nil || p.Name != "proj-two" || p.Description != "second project" || p.Status != "Normal" {
		t.Fatalf("GetProject = %+v, %v", p, err)
	}
	if ok, err := c.CheckProjectExist("missing-proj"); err != nil || ok {
		t.Fatalf("CheckProjectExist(missing) = %v, %v", ok, err)
	}
	if err := c.CreateLogStore("proj-two", "events", 7, 1, false, 0); err != nil {
		t.Fatalf("CreateLogStore: %v", err)
	}
	asSLSError(t, c.CreateLogStore("proj-two", "events", 7, 1, false, 0), "LogStoreAlreadyExist", 400)
	if err := c.CreateLogStore("proj-two", "audit", 30, 2, false, 0); err != nil {
		t.Fatal(err)
	}
	ls, err := c.GetLogStore("proj-two", "events")
	if err != nil || ls.Name != "events" || ls.TTL != 7 || ls.ShardCount != 1 {
		t.Fatalf("GetLogStore = %+v, %v", ls, err)
	}
	names, err := c.ListLogStore("proj-two")
	if err != nil || len(names) != 2 || names[0] != "audit" || names[1] != "events" {
		t.Fatalf("ListLogStore = %v, %v", names, err)
	}
	if ok, err := c.CheckLogstoreExist("proj-two", "nope"); err != nil || ok {
		t.Fatalf("CheckLogstoreExist(nope) = %v, %v", ok, err)
	}
	shards, err := c.ListShards("proj-two", "audit")
	if err != nil || len(shards) != 2 || shards[0].Status != "readwrite" ||
		shards[0].InclusiveBeginKey != "00000000000000000000000000000000" ||
		shards[0].ExclusiveBeginKey != shards[1].InclusiveBeginKey {
		t.Fatalf("ListShards = %+v, %v", shards, err)
	}
}

// conformance: SLS-01
func TestShardRoutingByHashKey(t *testing.T) {
	ranges := shardRanges(2, 0)
	if got := shardForKey(ranges, "00ff"); got != 0 {
		t.Errorf("low key went to shard %d", got)
	}
	if got := shardForKey(ranges, "F0000000000000000000000000000000"); got != 1 {
		t.Errorf("high key went to shard %d", got)
	}
}

// conformance: SLS-02
func TestProjectFromHost(t *testing.T) {
	for host, want := range map[string]string{
		"smsflow-local.127.0.0.1:9200":   "smsflow-local",
		"p.cn-hangzhou.log.aliyuncs.com": "p",
		"127.0.0.1:9200":                 "",
		"localhost:9200":                 "",
		"smsflow-local.localhost":        "smsflow-local",
		"[::1]:9200":                     "",
	} {
		if got := projectFromHost(host); got != want {
			t.Errorf("projectFromHost(%q) = %q, want %q", host, got, want)
		}
	}
}
