package stack

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
