package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/metricsfeed"
	"smsflow/local/sts"
	"smsflow/shared/slsclient"
)

// DefaultPrometheusPort is where `make run` serves the local stand-in of
// the SLS MetricStore (SMSFLOW_LOCAL_PROMETHEUS_PORT moves it).
const DefaultPrometheusPort = 9090

// MetricsOptions configure the local MetricStore: Debian's prometheus,
// fed by the Scheduled SQL stand-in (docs/metrics.md).
type MetricsOptions struct {
	// Enabled starts it (make run does; tests that need it do).
	Enabled bool
	Port    int
	// Window is the feed's period and each sample's window (default 10 s,
	// so a few sends show up quickly; the cloud job runs every minute).
	Window time.Duration
}

// MetricsParts is what the metrics component adds to a Stack.
type MetricsParts struct {
	// Prometheus is the running server (nil when not enabled or not installed).
	Prometheus *metricsfeed.Prometheus
}

func init() {
	register(component{name: "prometheus and metrics feed", order: 90, start: startMetrics})
}

func startMetrics(ctx context.Context, s *Stack, o Options) error {
	if !o.Metrics.Enabled {
		return nil
	}
	dir := filepath.Join(o.StateDir, "prometheus")
	if o.StateDir == "" {
		tmp, err := os.MkdirTemp("", "smsflow-prometheus-")
		if err != nil {
			return err
		}
		s.OnClose(func(context.Context) error { return os.RemoveAll(tmp) })
		dir = tmp
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prom, err := metricsfeed.StartPrometheus(ctx, dir, o.Metrics.Port)
	if errors.Is(err, metricsfeed.ErrNoPrometheus) {
		s.Banner = append(s.Banner, "metrics: prometheus is not installed (make prometheus), so no local MetricStore")
		return nil
	}
	if err != nil {
		return err
	}
	s.Prometheus = prom
	window := o.Metrics.Window
	if window <= 0 {
		window = 10 * time.Second
	}
	client := slsclient.New(s.SLSAddr,
		sls.NewStaticCredentialsProvider(sts.LocalAccessKeyID, sts.LocalAccessKeySecret, ""), 10*time.Second)
	feed := &metricsfeed.Feeder{WriteURL: prom.WriteURL(), Window: window,
		Query: func(_ context.Context, q string, from, to time.Time) ([]map[string]string, error) {
			return slsclient.Query(client, LocalProject, LocalLogstore, q, from, to, 0)
		}}
	feedCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed.Run(feedCtx, func(err error) { o.Logger.Warn("metrics feed", "err", err) })
	}()
	s.OnClose(func(context.Context) error {
		stop()
		<-done
		return prom.Stop()
	})
	s.Banner = append(s.Banner, fmt.Sprintf("Prometheus (MetricStore stand-in)  %s  try: curl '%s/api/v1/query?query=sum(smsflow_messages_total)'", prom.URL, prom.URL))
	return nil
}
