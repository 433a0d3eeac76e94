package metricsfeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// ErrNoPrometheus: Debian's prometheus package is not installed (`make
// prometheus` installs it; `make test` and `make run` depend on it).
var ErrNoPrometheus = errors.New("prometheus is not installed: make prometheus")

// Prometheus is a running Debian prometheus server with its remote-write
// receiver on, standing in for the SLS MetricStore.
type Prometheus struct {
	URL string // http://127.0.0.1:<port>
	cmd *exec.Cmd
}

// StartPrometheus runs prometheus on 127.0.0.1:port (0: a free port) with
// its data in dir, and waits until it is ready.
func StartPrometheus(ctx context.Context, dir string, port int) (*Prometheus, error) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		return nil, ErrNoPrometheus
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	// No scrape jobs: a function has no scrape target; points arrive by
	// remote write only.
	if err := os.WriteFile(cfg, []byte("global:\n  evaluation_interval: 15s\n"), 0o644); err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--web.enable-remote-write-receiver", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting prometheus: %w", err)
	}
	p := &Prometheus{URL: "http://" + addr, cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(p.URL + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.Stop()
			return nil, fmt.Errorf("prometheus on %s did not become ready", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WriteURL is the remote-write receiver.
func (p *Prometheus) WriteURL() string { return p.URL + "/api/v1/write" }

// Stop ends the server.
func (p *Prometheus) Stop() error {
	if p.cmd.Process == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	return nil
}

// Query runs an instant PromQL query and returns its vector result.
func (p *Prometheus) Query(ctx context.Context, promql string) ([]VectorSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/query?query="+url.QueryEscape(promql), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string         `json:"resultType"`
			Result     []VectorSample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("query %q: %w", promql, err)
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", promql, out.Error)
	}
	if out.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: result type %s, want vector", promql, out.Data.ResultType)
	}
	return out.Data.Result, nil
}

// VectorSample is one element of an instant vector.
type VectorSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"` // [unix seconds, "value"]
}

// Float is the sample's value.
func (v VectorSample) Float() float64 {
	s, _ := v.Value[1].(string)
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
