package sls

import (
	"context"
	"net"
	"net/http"
	"time"
)

// LocalHTTPClient answers an *http.Client that sends every request to addr
// (host:port) whatever the URL's host says. The SDK always calls
// http://<project>.<endpoint>/..., which does not resolve locally; the Host
// header still carries the project, which is how the emulator reads it.
// Hand it to sls.Client.HTTPClient / SetHTTPClient or ProducerConfig.HTTPClient.
func LocalHTTPClient(addr string) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		Proxy: nil, // HTTP_PROXY must not capture loopback traffic
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     55 * time.Second,
	}
	return &http.Client{Transport: transport, Timeout: 60 * time.Second}
}
