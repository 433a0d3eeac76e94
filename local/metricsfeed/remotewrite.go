// Package metricsfeed is the local stand-in for SLS Scheduled SQL into a
// MetricStore: every window it runs shared/redmetrics' queries against the
// local SLS and remote-writes the samples to a Prometheus server (Debian's
// prometheus with its remote-write receiver on), as the Scheduled SQL job
// writes them to the MetricStore in the cloud.
package metricsfeed

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/klauspost/compress/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"smsflow/shared/redmetrics"
)

// encodeWriteRequest renders Prometheus remote-write 1.0's WriteRequest
// (prompb: timeseries=1 {labels=1 {name=1, value=2}, samples=2 {value=1
// double, timestamp=2 int64 ms}}) with the labels sorted by name, as the
// spec requires, __name__ first among them.
func encodeWriteRequest(samples []redmetrics.Sample, at time.Time) []byte {
	var req []byte
	for _, s := range samples {
		names := []string{"__name__"}
		for k := range s.Labels {
			names = append(names, k)
		}
		sort.Strings(names)
		var ts []byte
		for _, n := range names {
			v := s.Labels[n]
			if n == "__name__" {
				v = s.Name
			}
			var l []byte
			l = protowire.AppendTag(l, 1, protowire.BytesType)
			l = protowire.AppendString(l, n)
			l = protowire.AppendTag(l, 2, protowire.BytesType)
			l = protowire.AppendString(l, v)
			ts = protowire.AppendTag(ts, 1, protowire.BytesType)
			ts = protowire.AppendBytes(ts, l)
		}
		var smp []byte
		smp = protowire.AppendTag(smp, 1, protowire.Fixed64Type)
		smp = protowire.AppendFixed64(smp, math.Float64bits(s.Value))
		smp = protowire.AppendTag(smp, 2, protowire.VarintType)
		smp = protowire.AppendVarint(smp, uint64(at.UnixMilli()))
		ts = protowire.AppendTag(ts, 2, protowire.BytesType)
		ts = protowire.AppendBytes(ts, smp)
		req = protowire.AppendTag(req, 1, protowire.BytesType)
		req = protowire.AppendBytes(req, ts)
	}
	return req
}

// remoteWrite POSTs samples stamped at, snappy-compressed, to url.
func remoteWrite(ctx context.Context, c *http.Client, url string, samples []redmetrics.Sample, at time.Time) error {
	body := snappy.Encode(nil, encodeWriteRequest(samples, at))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("remote write: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("remote write: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
