package sms

import (
	"fmt"
	"sync"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/shared/config"
	"smsflow/shared/creds"
)

// clientCache lends Dysmsapi clients, per credential triple.
//
// Two SDK facts shape it. The SDK reads the key id, secret and token through
// three separate calls, so swapping the credential of a shared client while
// calls are in flight could sign with a mixed triple: a client's triple is
// fixed instead (FC rotates the role's STS token every few hours, so an
// instance sees one or two). And a client is not safe for concurrent calls
// (darabonba-openapi v2.0.4 GetRpcHeaders writes client.Headers on every
// call; the race detector sees it): a client serves one call at a time and
// goes back to its pool after. An FC instance runs one invocation at a
// time, yet calls still overlap in one process (dispatch's parallel sends,
// a call abandoned at a deadline that runs on), so the pool stays; it
// mostly holds one client per triple.
type clientCache struct {
	cfg config.Dysms
	mu  sync.Mutex
	// byKey maps a triple to its idle clients; at most keepTriples live.
	byKey map[string]*idleClients
	order []string
}

type idleClients struct{ free []*dysmsapi.Client }

const keepTriples = 4

// dysmsIdleConns is how many idle connections to Dysmsapi the process
// keeps. One instance runs one invocation at a time and makes one call at
// a time, so one connection carries every send; the rest covers a call
// abandoned at a deadline (its connection stays busy until it ends) and
// callers that overlap anyway (tests under plain net/http). Go's default
// of 2 would close all but two of them after each burst.
const dysmsIdleConns = 4

func newClientCache(cfg config.Dysms) *clientCache {
	return &clientCache{cfg: cfg, byKey: map[string]*idleClients{}}
}

// lend returns a client for t and the function that gives it back.
func (c *clientCache) lend(t creds.Triple) (*dysmsapi.Client, func(), error) {
	key := t.AccessKeyID + "\x00" + t.SecurityToken
	c.mu.Lock()
	idle, ok := c.byKey[key]
	if !ok {
		idle = &idleClients{}
		c.byKey[key] = idle
		c.order = append(c.order, key)
		if len(c.order) > keepTriples {
			delete(c.byKey, c.order[0])
			c.order = c.order[1:]
		}
	}
	var cl *dysmsapi.Client
	if n := len(idle.free); n > 0 {
		cl, idle.free = idle.free[n-1], idle.free[:n-1]
	}
	c.mu.Unlock()
	if cl == nil {
		var err error
		if cl, err = c.build(t); err != nil {
			return nil, nil, err
		}
	}
	release := func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if cur, ok := c.byKey[key]; ok && cur == idle {
			idle.free = append(idle.free, cl)
		}
	}
	return cl, release, nil
}

func (c *clientCache) build(t creds.Triple) (*dysmsapi.Client, error) {
	oc := &openapi.Config{
		AccessKeyId:     tea.String(t.AccessKeyID),
		AccessKeySecret: tea.String(t.AccessKeySecret),
		Endpoint:        tea.String(c.cfg.Endpoint),
		Protocol:        tea.String(c.cfg.Protocol),
		RegionId:        tea.String(c.cfg.RegionID),
		// ReadTimeout (ms) becomes http.Client.Timeout: it bounds the whole
		// call, connecting included.
		ReadTimeout: tea.Int(int(c.cfg.ReadTimeout.Milliseconds())),
		// tea v1.2.2 reads ConnectTimeout as SECONDS (net.Dialer.Timeout =
		// n·time.Second), despite the ms in the docs. Re-check on upgrade.
		ConnectTimeout: tea.Int(1),
		// tea builds one transport per endpoint and timeouts for the whole
		// process (its clientPool), shared by every client of this cache;
		// this sets its MaxIdleConnsPerHost.
		MaxIdleConns: tea.Int(dysmsIdleConns),
	}
	if t.SecurityToken != "" {
		oc.SecurityToken = tea.String(t.SecurityToken)
	}
	if config.IsLoopback(c.cfg.Endpoint) {
		// HTTP_PROXY applies even to loopback in tea; NoProxy is an exact
		// host:port match.
		oc.NoProxy = tea.String(c.cfg.Endpoint)
	}
	cl, err := dysmsapi.NewClient(oc)
	if err != nil {
		return nil, fmt.Errorf("dysmsapi client: %w", err)
	}
	return cl, nil
}
