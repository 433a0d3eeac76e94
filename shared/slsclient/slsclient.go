// Package slsclient builds aliyun-log-go-sdk clients the way smsflow needs
// them: bounded in time, signing with a credentials provider, and able to
// reach a loopback endpoint (the local stack), which the SDK's host-style
// addressing (http://<project>.<endpoint>/) cannot do on its own.
package slsclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/creds"
	"smsflow/shared/slsput"
)

// New returns a client for endpoint (host[:port], no scheme).
func New(endpoint string, provider sls.CredentialsProvider, timeout time.Duration) sls.ClientInterface {
	c := sls.CreateNormalInterfaceV2(endpoint, provider)
	c.SetHTTPClient(&http.Client{Transport: slsput.Transport(endpoint, timeout), Timeout: timeout})
	c.SetRetryTimeout(timeout)
	// The SDK fills RequestTimeOut in lazily on every call, under a read
	// lock: set it here so concurrent calls only read it.
	if cl, ok := c.(*sls.Client); ok {
		cl.RequestTimeOut = timeout
	}
	return c
}

// Live hands the SDK the latest credential triple as one value, so no
// request is signed with a mix of two triples while FC rotates them.
type Live struct {
	v atomic.Pointer[sls.Credentials]
}

// Set replaces the triple.
func (l *Live) Set(c sls.Credentials) { l.v.Store(&c) }

// GetCredentials implements sls.CredentialsProvider.
func (l *Live) GetCredentials() (sls.Credentials, error) {
	if c := l.v.Load(); c != nil {
		return *c, nil
	}
	return sls.Credentials{}, fmt.Errorf("slsclient: no credentials yet")
}

// SourceProvider adapts a creds.Source (the credentials-go default chain
// outside FC) to the SDK, asked on every request so STS tokens stay fresh.
// The operator's commands use it: a long-lived AccessKey is refused unless
// the Source allows one (the local stack only).
type SourceProvider struct{ Source *creds.Source }

// GetCredentials implements sls.CredentialsProvider.
func (p SourceProvider) GetCredentials() (sls.Credentials, error) {
	t, err := p.Source.Get(context.Background())
	if err != nil {
		return sls.Credentials{}, err
	}
	return sls.Credentials{AccessKeyID: t.AccessKeyID, AccessKeySecret: t.AccessKeySecret, SecurityToken: t.SecurityToken}, nil
}

// Query runs a GetLogs (search, or search | SQL) over [from, to) and
// refuses an incomplete answer: a partial result read as complete would
// undercount failures.
func Query(c sls.ClientInterface, project, logstore, query string, from, to time.Time, lines int64) ([]map[string]string, error) {
	req := &sls.GetLogRequest{From: from.Unix(), To: to.Unix(), Query: query, Lines: lines}
	if strings.Contains(query, "|") {
		req.Lines = 0
	}
	resp, err := c.GetLogsV3(project, logstore, req)
	if err != nil {
		return nil, fmt.Errorf("GetLogs %s/%s: %w", project, logstore, err)
	}
	if !resp.IsComplete() {
		return resp.Logs, ErrIncomplete
	}
	return resp.Logs, nil
}

// ErrIncomplete says SLS answered with progress Incomplete.
var ErrIncomplete = fmt.Errorf("slsclient: the query result is incomplete")
