package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"smsflow/shared/cliflag"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/dashboard"
	"smsflow/shared/provision"
	"smsflow/shared/slsclient"
	"smsflow/shared/text"
)

// runProvision (`smsflow provision`) creates or updates, idempotently, the smsflow
// logstore's index and the operations dashboard in SLS (shared/provision).
// `make provision` runs it. It works against Alibaba Cloud and the local
// stack:
//
//	SMSFLOW_SLS_ENDPOINT=cn-hangzhou.log.aliyuncs.com SMSFLOW_SLS_PROJECT=smsflow-prod \
//	SMSFLOW_SLS_LOGSTORE=sms make provision
//
// Credentials come from the credentials-go default chain (env, OIDC,
// ~/.aliyun/config.json profile, ECS role...). Like the functions, it refuses
// a long-lived AccessKey except against the local stack: use an STS profile
// (ram_role_arn, sso) for the cloud.
func runProvision(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("smsflow provision", flag.ContinueOnError)
	endpoint := fs.String("endpoint", os.Getenv("SMSFLOW_SLS_ENDPOINT"), "SLS endpoint host[:port], no scheme (env SMSFLOW_SLS_ENDPOINT)")
	project := fs.String("project", os.Getenv("SMSFLOW_SLS_PROJECT"), "SLS project (env SMSFLOW_SLS_PROJECT)")
	logstore := fs.String("logstore", os.Getenv("SMSFLOW_SLS_LOGSTORE"), "logstore the functions log to (env SMSFLOW_SLS_LOGSTORE)")
	timeout := fs.Duration("timeout", 30*time.Second, "bound on each SLS call")
	if err := cliflag.Parse(fs, args); err != nil {
		return err
	}
	if err := cliflag.Positive("-timeout", *timeout); err != nil {
		return err // 0 would be no bound at all on the SLS calls
	}
	if *endpoint == "" || *project == "" || *logstore == "" {
		return fmt.Errorf("set -endpoint, -project and -logstore (or SMSFLOW_SLS_ENDPOINT, _PROJECT, _LOGSTORE); for the local stack: 127.0.0.1:9200, smsflow-local, sms")
	}
	src := creds.NewSource(config.IsLoopback(*endpoint))
	client := slsclient.New(*endpoint, slsclient.SourceProvider{Source: src}, *timeout)
	report, err := provision.Run(client, *project, *logstore)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "index of %s/%s: %s\n", *project, *logstore, report.Index)
	// Key names come from SLS, where anyone with the console may have
	// written them: escaped.
	for _, c := range report.IndexChanged {
		fmt.Fprintf(out, "  %s\n", text.Escape(c))
	}
	if len(report.IndexKept) > 0 {
		fmt.Fprintf(out, "  left as it is (not smsflow's): %s\n", text.Escape(strings.Join(report.IndexKept, ", ")))
	}
	fmt.Fprintf(out, "dashboard %s: %s\n", dashboard.Name, report.Dashboard)
	return nil
}
