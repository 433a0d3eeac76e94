package stack

import (
	"context"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/dashpage"
	"smsflow/local/sts"
	"smsflow/shared/slsclient"
	"smsflow/shared/slstrace"
	"smsflow/shared/timeline"
)

// DefaultDashboardPort is where `make run` serves the dashboard page
// (SMSFLOW_LOCAL_DASHBOARD_PORT moves it; 0 picks a free port).
const DefaultDashboardPort = 9500

// DashboardOptions configure the local dashboard page.
type DashboardOptions struct {
	// Port of the page; 0 picks a free port (what tests use).
	Port int
}

// DashboardParts is what the dashboard adds to a running Stack.
type DashboardParts struct {
	// DashboardURL is the page, http://127.0.0.1:<port>/dashboard.
	DashboardURL string
}

func init() {
	// Last: it only reads what the others write.
	register(component{name: "dashboard page", order: 100, start: startDashboard})
}

// startDashboard serves the SLS dashboard's charts (shared/dashboard), each
// query run through the SDK against the local SLS, as the console would.
func startDashboard(_ context.Context, s *Stack, o Options) error {
	client := slsclient.New(s.SLSAddr,
		sls.NewStaticCredentialsProvider(sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""), 10*time.Second)
	page := dashpage.New(func(_ context.Context, query string, from, to time.Time) ([]map[string]string, error) {
		return slsclient.Query(client, LocalProject, LocalLogstore, query, from, to, 0)
	})
	if s.TraceEnv != nil {
		page.Spans = func(_ context.Context, traceID string) ([]map[string]string, error) {
			now := time.Now()
			return timeline.FetchSpans(client, LocalProject, slstrace.Logstore(LocalTraceInstance), traceID, now.Add(-24*time.Hour), now.Add(time.Minute))
		}
	}
	addr, err := s.Serve(o.Dashboard.Port, page)
	if err != nil {
		return err
	}
	s.DashboardURL = "http://" + addr + "/dashboard"
	s.Banner = append(s.Banner, "dashboard (the SLS dashboard's charts)  "+s.DashboardURL)
	return nil
}
