package sls

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/sts"
)

// BenchmarkPutLogs is one send's shipping as the SDK does it against this
// emulator, both sides in this process: a group of three events of 25
// fields, signed with an STS triple. For profiling the emulator's share of
// `make bench`'s line (b):
//
//	go test -run XXX -bench PutLogs -cpuprofile cpu.out ./local/sls
func BenchmarkPutLogs(b *testing.B) {
	srv, err := New(Options{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.EnsureLogstore(testProject, testLogstore); err != nil {
		b.Fatal(err)
	}
	c := sts.Issue(time.Hour)
	client := clientFor(ts, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)
	group := benchGroup()
	b.ReportAllocs()
	for b.Loop() {
		if err := client.PutLogs(testProject, testLogstore, group); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGroup() *slssdk.LogGroup {
	topic, source := "send", "bench-instance"
	g := &slssdk.LogGroup{Topic: &topic, Source: &source}
	for i := 0; i < 3; i++ {
		t := uint32(time.Now().Unix())
		l := &slssdk.Log{Time: &t}
		for j := 0; j < 25; j++ {
			k, v := fmt.Sprintf("field_%02d", j), fmt.Sprintf("value %d of event %d", j, i)
			l.Contents = append(l.Contents, &slssdk.LogContent{Key: &k, Value: &v})
		}
		g.Logs = append(g.Logs, l)
	}
	return g
}
