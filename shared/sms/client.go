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

// clientCache holds one Dysmsapi client per credential triple. The SDK reads
// the key id, secret and token through three separate calls, so swapping the
// credential of a shared client while calls are in flight could sign with a
// mixed triple. A triple is immutable instead: FC rotates the role's STS
// token every few hours, so in practice an instance builds one or two.
type clientCache struct {
	cfg config.Dysms
	mu  sync.Mutex
	// byKey maps access key id to its client; at most keep entries live.
	byKey map[string]*dysmsapi.Client
	order []string
}

const keepClients = 4

func newClientCache(cfg config.Dysms) *clientCache {
	return &clientCache{cfg: cfg, byKey: map[string]*dysmsapi.Client{}}
}

func (c *clientCache) get(t creds.Triple) (*dysmsapi.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := t.AccessKeyID + "\x00" + t.SecurityToken
	if cl, ok := c.byKey[key]; ok {
		return cl, nil
	}
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
	c.byKey[key] = cl
	c.order = append(c.order, key)
	if len(c.order) > keepClients {
		delete(c.byKey, c.order[0])
		c.order = c.order[1:]
	}
	return cl, nil
}
