package sls_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"

	"smsflow/local/sls"
)

// Wiring the unmodified SDK to the emulator: any endpoint string works as
// long as the client dials the emulator's address.
func ExampleLocalHTTPClient() {
	srv, err := sls.New(sls.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	_ = srv.EnsureLogstore("smsflow-local", "sms")
	_ = srv.EnsureIndex("smsflow-local", "sms", slssdk.Index{
		Keys: map[string]slssdk.IndexKey{"status": {Type: "text", DocValue: true}},
	})

	client := &slssdk.Client{
		Endpoint:        ts.Listener.Addr().String(),
		AccessKeyID:     "smsflow-local-id",
		AccessKeySecret: "smsflow-local-secret",
		HTTPClient:      sls.LocalHTTPClient(ts.Listener.Addr().String()),
	}
	now := time.Now()
	err = client.PutLogs("smsflow-local", "sms", &slssdk.LogGroup{Logs: []*slssdk.Log{{
		Time:     proto.Uint32(uint32(now.Unix())),
		Contents: []*slssdk.LogContent{{Key: proto.String("status"), Value: proto.String("failed")}},
	}}})
	if err != nil {
		panic(err)
	}
	resp, err := client.GetLogsV3("smsflow-local", "sms", &slssdk.GetLogRequest{
		From: now.Unix(), To: now.Unix() + 1, Query: "status: failed | SELECT count(1) AS n"})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Meta.Progress, resp.Logs[0]["n"])
	// Output: Complete 1
}
