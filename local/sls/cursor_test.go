package sls

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// pullAll reads every shard from begin to the current end with the SDK.
func pullAll(t *testing.T, c *slssdk.Client, compress int) (values []string, ends map[int]string) {
	t.Helper()
	shards, err := c.ListShards(testProject, testLogstore)
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	ends = map[int]string{}
	for _, sh := range shards {
		cursor, err := c.GetCursor(testProject, testLogstore, sh.ShardID, "begin")
		if err != nil {
			t.Fatalf("GetCursor begin: %v", err)
		}
		for {
			gl, meta, err := c.PullLogsWithQuery(&slssdk.PullLogRequest{Project: testProject, Logstore: testLogstore,
				ShardID: sh.ShardID, Cursor: cursor, LogGroupMaxCount: 2, CompressType: compress})
			if err != nil {
				t.Fatalf("PullLogs: %v", err)
			}
			for _, g := range gl.LogGroups {
				for _, l := range g.Logs {
					values = append(values, l.Contents[0].GetValue())
				}
			}
			if meta.NextCursor == cursor {
				break
			}
			cursor = meta.NextCursor
		}
		ends[sh.ShardID] = cursor
	}
	sort.Strings(values)
	return values, ends
}

// conformance: SLS-11
func TestCursorAndPullLogsRoundTrip(t *testing.T) {
	env := newTestEnv(t, Options{})
	c := env.client
	// No index at all: the cursor path needs none and has no lag.
	var want []string
	for i := 0; i < 5; i++ {
		v := fmt.Sprintf("state-%d", i)
		want = append(want, v)
		if err := c.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "alert_state", v))); err != nil {
			t.Fatal(err)
		}
	}
	for _, compress := range []int{slssdk.Compress_LZ4, slssdk.Compress_ZSTD} {
		got, ends := pullAll(t, c, compress)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("pulled %v, want %v", got, want)
		}
		for shard, endCursor := range ends {
			end, err := c.GetCursor(testProject, testLogstore, shard, "end")
			if err != nil || end != endCursor {
				t.Fatalf("end cursor of shard %d = %q (%v), pulled up to %q", shard, end, err, endCursor)
			}
		}
	}
	// A write after "end" is what the next pull from that cursor sees.
	end0, _ := c.GetCursor(testProject, testLogstore, 0, "end")
	end1, _ := c.GetCursor(testProject, testLogstore, 1, "end")
	if err := c.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "alert_state", "late"))); err != nil {
		t.Fatal(err)
	}
	var late []string
	for shard, cur := range map[int]string{0: end0, 1: end1} {
		gl, _, err := c.PullLogs(testProject, testLogstore, shard, cur, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gl.LogGroups {
			late = append(late, g.Logs[0].Contents[0].GetValue())
		}
	}
	if len(late) != 1 || late[0] != "late" {
		t.Fatalf("after end cursors: %v", late)
	}
	// A cursor from a time after every write is the end.
	future, err := c.GetCursor(testProject, testLogstore, 0, fmt.Sprint(time.Now().Add(time.Hour).Unix()))
	if end, _ := c.GetCursor(testProject, testLogstore, 0, "end"); err != nil || future != end {
		t.Fatalf("cursor from the future = %q (%v), want end %q", future, err, end)
	}
}

// conformance: SLS-11
func TestPullLogsRefusesBadCursorAndShard(t *testing.T) {
	env := newTestEnv(t, Options{})
	if _, _, err := env.client.PullLogs(testProject, testLogstore, 0, "!!notacursor", "", 10); err == nil ||
		!strings.Contains(err.Error(), "InvalidCursor") {
		t.Fatalf("bad cursor: %v", err)
	}
	if _, err := env.client.GetCursor(testProject, testLogstore, 7, "begin"); err == nil ||
		!strings.Contains(err.Error(), "ShardNotExist") {
		t.Fatalf("bad shard: %v", err)
	}
}
