package main

import (
	"fmt"
	"os"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/config"
	"smsflow/shared/slsclient"
	"smsflow/shared/slstrace"
	"smsflow/shared/tracecmd"
)

// traceCmd prints one message's timeline from the local stack's SLS, signed
// with the local key pair. Against Alibaba Cloud, the operator's tool does
// the same with the credentials-go chain: `go run ./cmd/smsflow trace`.
func traceCmd(args []string) error {
	port := os.Getenv("SMSFLOW_LOCAL_SLS_PORT")
	if port == "" {
		port = fmt.Sprint(stack.DefaultSLSPort)
	}
	d := tracecmd.Defaults{Endpoint: "127.0.0.1:" + port, Project: stack.LocalProject,
		Logstore: stack.LocalLogstore, Traces: slstrace.Logstore(stack.LocalTraceInstance)}
	return tracecmd.Run("trace", args, os.Stdout, d, func(endpoint string) (sls.CredentialsProvider, error) {
		if !config.IsLoopback(endpoint) {
			return nil, fmt.Errorf("%s is not the local stack: `go run ./cmd/smsflow trace` reads Alibaba Cloud's SLS", endpoint)
		}
		p := &slsclient.Live{}
		p.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
		return p, nil
	})
}
