package main

import (
	"io"
	"os"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/slsclient"
	"smsflow/shared/tracecmd"
)

// runTrace (`smsflow trace <trace_id>`) prints one message's timeline, or
// with -spans its span waterfall, from SLS. Defaults come from the
// SMSFLOW_SLS_* variables the release and provision commands read too.
// Credentials come from the credentials-go default chain; as in the
// functions, a long-lived AccessKey is refused except against the local
// stack (use an STS profile: ram_role_arn, sso).
func runTrace(args []string, out io.Writer) error {
	d := tracecmd.Defaults{Endpoint: os.Getenv("SMSFLOW_SLS_ENDPOINT"), Project: os.Getenv("SMSFLOW_SLS_PROJECT"),
		Logstore: os.Getenv("SMSFLOW_SLS_LOGSTORE"), Traces: os.Getenv("SMSFLOW_SLS_TRACES_LOGSTORE")}
	return tracecmd.Run("smsflow trace", args, out, d, func(endpoint string) (sls.CredentialsProvider, error) {
		return slsclient.SourceProvider{Source: creds.NewSource(config.IsLoopback(endpoint))}, nil
	})
}
