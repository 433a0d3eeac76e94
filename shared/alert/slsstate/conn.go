// Package slsstate backs the alert evaluator with SLS: a Querier over
// GetLogs (aggregation in SLS, Incomplete kept as such) and a StateLog
// written with PutLogs to ONE shard and read back by cursor (PullLogs),
// which has no index lag and gives every reader the same total order.
//
// Each call signs with the invocation's STS triple (FC hands a fresh one
// to every invocation) and, unless configured, targets the function's
// bound logConfig.
package slsstate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/slsclient"
	"smsflow/shared/slsput"
)

// Credentials yields the triple that signs a call made for ctx;
// *creds.Source is the production one.
type Credentials interface {
	Get(ctx context.Context) (creds.Triple, error)
}

// Conn reaches one SLS endpoint with the invocation's credentials. An FC
// instance runs one invocation at a time; Conn stays safe for concurrent
// use all the same (tests, and calls left running past a timeout).
type Conn struct {
	Creds Credentials
	// Endpoint is host[:port]; "" = the invocation region's intranet
	// endpoint (<region>-intranet.log.aliyuncs.com).
	Endpoint string
	// Timeout bounds one call, its retries included.
	Timeout time.Duration

	mu      sync.Mutex
	live    slsclient.Live
	clients map[string]sls.ClientInterface
	writers map[string]*slsput.Client
}

// Location is a project and logstore; empty parts default to the
// invocation's logConfig.
type Location struct {
	Project, Logstore string
}

// ErrNoLocation says neither the configuration nor the invocation named
// a project and logstore.
var ErrNoLocation = errors.New("no SLS project/logstore: bind a logConfig to the function or configure one")

// target resolves the client, project and logstore a call for ctx uses,
// and refreshes the credential triple it signs with.
func (c *Conn) target(ctx context.Context, loc Location) (sls.ClientInterface, Location, error) {
	endpoint, loc, t, err := c.resolve(ctx, loc)
	if err != nil {
		return nil, loc, err
	}
	// One provider for every client: any invocation's valid triple will do,
	// and Live swaps the triple as one value.
	c.live.Set(sls.Credentials{AccessKeyID: t.AccessKeyID, AccessKeySecret: t.AccessKeySecret, SecurityToken: t.SecurityToken})
	return c.client(endpoint), loc, nil
}

// resolve names the endpoint, project and logstore a call for ctx uses,
// and the triple it signs with.
func (c *Conn) resolve(ctx context.Context, loc Location) (string, Location, creds.Triple, error) {
	inv, _ := obs.InvocationFrom(ctx)
	if loc.Project == "" {
		loc.Project = inv.LogProject
	}
	if loc.Logstore == "" {
		loc.Logstore = inv.LogStore
	}
	endpoint := c.Endpoint
	if endpoint == "" && inv.Region != "" {
		endpoint = inv.Region + "-intranet.log.aliyuncs.com"
	}
	if loc.Project == "" || loc.Logstore == "" || endpoint == "" {
		return "", loc, creds.Triple{}, ErrNoLocation
	}
	t, err := c.Creds.Get(ctx)
	if err != nil {
		return "", loc, creds.Triple{}, fmt.Errorf("credentials: %w", err)
	}
	return endpoint, loc, t, nil
}

// writer is the PutLogs client for endpoint: writes take ctx, which the
// SDK's do not.
func (c *Conn) writer(endpoint string) *slsput.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.writers[endpoint]; ok {
		return w
	}
	if c.writers == nil {
		c.writers = map[string]*slsput.Client{}
	}
	w := slsput.New(endpoint, c.timeout())
	c.writers[endpoint] = w
	return w
}

func (c *Conn) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 10 * time.Second
	}
	return c.Timeout
}

func (c *Conn) client(endpoint string) sls.ClientInterface {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[endpoint]; ok {
		return cl
	}
	if c.clients == nil {
		c.clients = map[string]sls.ClientInterface{}
	}
	cl := slsclient.New(endpoint, &c.live, c.timeout())
	c.clients[endpoint] = cl
	return cl
}
