// Package slsput writes log groups to an SLS logstore with PutLogs, on the
// wire exactly as aliyun-log-go-sdk writes them (the LogGroup protobuf, an
// LZ4 block, signature v1; its tests hold it to the SDK byte for byte),
// with a context the SDK's PutLogs does not take.
//
// Why not the SDK itself: importing its package initialises its whole tree
// (protobuf descriptors built through github.com/golang/protobuf, a zstd
// encoder in a package variable), which was most of the send function's
// start-up beyond a hello-world go1 function (issue 10); and its PutLogs,
// taking no context, had to run on a goroutine of its own to be bounded.
// The functions that only write events link this package; reading (GetLogs,
// PullLogs) and provisioning keep the SDK.
package slsput

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/pierrec/lz4/v4"

	"smsflow/shared/config"
	"smsflow/shared/creds"
)

// IdleConns is how many idle connections a client keeps per host. One
// instance runs one invocation at a time, which makes one SLS call at a
// time, so one connection carries them all; the rest covers a call left
// running past its timeout (its connection stays busy until it ends) and
// callers that overlap anyway (tests under plain net/http). Go's default
// of 2 would close all but two after each burst.
const IdleConns = 4

// apiVersion and userAgent are sent on every request; the API version is
// the one the SDK sends (its config.go).
const (
	apiVersion = "0.6.0"
	userAgent  = "smsflow-slsput/1"
	maxAnswer  = 64 << 10 // what we read of an error answer
	maxExcerpt = 200      // what of a non-JSON answer reaches an error
)

// Client writes to one SLS endpoint.
type Client struct {
	scheme, host string
	http         *http.Client
	timeout      time.Duration
}

// New returns a client for endpoint (host[:port]; an http:// or https://
// prefix picks the scheme, http otherwise, as the SDK does), each call
// bounded by timeout.
func New(endpoint string, timeout time.Duration) *Client {
	scheme, host := "http", endpoint
	if h, ok := strings.CutPrefix(endpoint, "https://"); ok {
		scheme, host = "https", h
	} else if h, ok := strings.CutPrefix(endpoint, "http://"); ok {
		host = h
	}
	return &Client{scheme: scheme, host: host, timeout: timeout,
		http: &http.Client{Transport: Transport(host, timeout), Timeout: timeout}}
}

// Transport is the HTTP transport for SLS endpoint (host[:port]): at most
// IdleConns idle connections, and on a loopback endpoint (the local stack)
// every <project>.<endpoint> host dialled at the endpoint, which serves
// them all.
func Transport(endpoint string, timeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = IdleConns
	if config.IsLoopback(endpoint) {
		dialer := &net.Dialer{Timeout: timeout}
		t.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, endpoint)
		}
		t.Proxy = nil
	}
	return t
}

// Dest is where a group goes. HashKey, when set, routes it to the shard
// whose MD5 range holds the key (/shards/route?key=); otherwise SLS picks
// a shard.
type Dest struct {
	Project, Logstore, HashKey string
}

// Error is an answer of SLS other than 200.
type Error struct {
	HTTPCode  int
	Code      string // errorCode of the JSON body; "" when the body was not SLS's JSON
	Message   string
	RequestID string
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = "(no SLS error code)"
	}
	s := fmt.Sprintf("SLS answered %d %s: %s", e.HTTPCode, code, e.Message)
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// retryable are the answers the SDK retries a write on (its request.go,
// retryWriteErrorCheck): the server failed before or while storing. A
// transport error is not retried: the group may have been stored.
func retryable(code int) bool {
	return code == http.StatusInternalServerError || code == http.StatusBadGateway || code == http.StatusServiceUnavailable
}

// PutLogs writes g to d, signed with cred, within ctx and the client's
// timeout. An empty group is not sent. It does not split: see Split.
func (c *Client) PutLogs(ctx context.Context, cred creds.Triple, d Dest, g *Group) error {
	if len(g.Logs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	raw := g.Marshal()
	body, compressed := compress(raw)
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 50*time.Millisecond, c.timeout/2
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := c.attempt(ctx, cred, d, raw, body, compressed)
		var e *Error
		if err != nil && (!errors.As(err, &e) || !retryable(e.HTTPCode)) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(b), backoff.WithMaxElapsedTime(c.timeout))
	if err != nil {
		return fmt.Errorf("PutLogs %s/%s: %w", d.Project, d.Logstore, err)
	}
	return nil
}

// compress makes the LZ4 block the SDK sends; data LZ4 cannot shrink goes
// uncompressed, which SLS takes too (no x-log-compresstype).
func compress(raw []byte) ([]byte, bool) {
	out := make([]byte, lz4.CompressBlockBound(len(raw)))
	n, err := lz4.CompressBlock(raw, out, nil)
	if err != nil || n == 0 || n >= len(raw) {
		return raw, false
	}
	return out[:n], true
}

func (c *Client) attempt(ctx context.Context, cred creds.Triple, d Dest, raw, body []byte, compressed bool) error {
	path := "/logstores/" + d.Logstore
	var query url.Values
	if d.HashKey != "" {
		path += "/shards/route"
		query = url.Values{"key": {d.HashKey}}
	}
	u := c.scheme + "://" + d.Project + "." + c.host + path
	if query != nil {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/x-protobuf")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("User-Agent", userAgent)
	h.Set("x-log-apiversion", apiVersion)
	h.Set("x-log-signaturemethod", "hmac-sha1")
	h.Set("x-log-bodyrawsize", strconv.Itoa(len(raw)))
	if compressed {
		h.Set("x-log-compresstype", "lz4")
	}
	if cred.SecurityToken != "" {
		h.Set("x-acs-security-token", cred.SecurityToken)
	}
	signV1(h, http.MethodPost, path, query, body, cred.AccessKeyID, cred.AccessKeySecret)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	e := &Error{HTTPCode: resp.StatusCode, RequestID: resp.Header.Get("x-log-requestid")}
	var parsed struct {
		Code    string `json:"errorCode"`
		Message string `json:"errorMessage"`
	}
	if readErr == nil && json.Unmarshal(answer, &parsed) == nil && parsed.Code != "" {
		e.Code, e.Message = parsed.Code, parsed.Message
	} else {
		e.Message = excerpt(answer)
	}
	return e
}

// excerpt is at most maxExcerpt bytes of an answer that was not SLS's
// JSON (a proxy's page), quoted so no byte of it acts on a terminal.
func excerpt(b []byte) string {
	if len(b) > maxExcerpt {
		b = b[:maxExcerpt]
	}
	return strconv.Quote(string(b))
}
