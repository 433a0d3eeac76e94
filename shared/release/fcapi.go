// Package release runs canary releases of a function behind an FC 3.0
// alias without a person: it shifts a share of the alias's traffic to a
// new version step by step, compares that version with the stable one on
// the SMS outcomes in SLS, and promotes or rolls back. All of its state is
// the alias itself (its weight and lastModifiedTime) plus the events in
// SLS, so every run starts from nothing.
package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"

	"smsflow/shared/creds"
)

// apiVersion is FC 3.0's control API version. The fc-20230330 SDK is not
// served here: the calls go through darabonba-openapi's generic CallApi,
// which signs them with ACS3-HMAC-SHA256 as that SDK does.
const apiVersion = "2023-03-30"

// Alias is an FC alias as GetAlias answers it.
type Alias struct {
	Name        string             `json:"aliasName"`
	VersionID   string             `json:"versionId"`
	Description string             `json:"description"`
	Weights     map[string]float64 `json:"additionalVersionWeight"`
	Modified    string             `json:"lastModifiedTime"`
}

// Canary is the additional version and its share, or "" and 0.
func (a Alias) Canary() (string, float64) {
	for id, w := range a.Weights {
		if w > 0 {
			return id, w
		}
	}
	return "", 0
}

// ModifiedAt parses lastModifiedTime (RFC 3339).
func (a Alias) ModifiedAt() (time.Time, error) {
	t, err := time.Parse(time.RFC3339, a.Modified)
	if err != nil {
		return time.Time{}, fmt.Errorf("alias %s: lastModifiedTime %q: %w", a.Name, a.Modified, err)
	}
	return t, nil
}

// Version is a published function version.
type Version struct {
	ID          string `json:"versionId"`
	Description string `json:"description"`
	Created     string `json:"createdTime"`
}

// FC is the control API a release needs.
type FC interface {
	GetAlias(ctx context.Context, function, alias string) (Alias, error)
	// UpdateAlias points alias at versionID and sets its additional
	// version weight; an empty map is sent as {} and clears it.
	UpdateAlias(ctx context.Context, function, alias, versionID string, weights map[string]float64, description string) (Alias, error)
	ListVersions(ctx context.Context, function string, limit int) ([]Version, error)
}

// Credentials yields the triple a call signs with (*creds.Source).
type Credentials interface {
	Get(ctx context.Context) (creds.Triple, error)
}

// Client calls FC's control API with the official generic client.
type Client struct {
	// Endpoint is host[:port], e.g. <account>.cn-hangzhou.fc.aliyuncs.com.
	Endpoint string
	// Protocol is HTTPS unless set (the local emulator: HTTP).
	Protocol string
	Creds    Credentials
	Timeout  time.Duration
}

// NewClient calls FC at endpoint: host[:port] (HTTPS), an http:// or
// https:// URL, or "" for the invocation's own region and account
// (<account>.<region>.fc.aliyuncs.com).
func NewClient(endpoint string, credentials Credentials) *Client {
	c := &Client{Endpoint: endpoint, Creds: credentials}
	if rest, ok := strings.CutPrefix(endpoint, "http://"); ok {
		c.Endpoint, c.Protocol = rest, "HTTP"
	} else if rest, ok := strings.CutPrefix(endpoint, "https://"); ok {
		c.Endpoint = rest
	}
	return c
}

func (c *Client) endpoint(ctx context.Context) (string, error) {
	if c.Endpoint != "" {
		return c.Endpoint, nil
	}
	if fc, ok := fccontext.FromContext(ctx); ok && fc != nil && fc.AccountId != "" && fc.Region != "" {
		return fc.AccountId + "." + fc.Region + ".fc.aliyuncs.com", nil
	}
	return "", errors.New("fc api: no endpoint: set SMSFLOW_RELEASE_FC_ENDPOINT outside FC")
}

func (c *Client) client(ctx context.Context) (*openapi.Client, error) {
	endpoint, err := c.endpoint(ctx)
	if err != nil {
		return nil, err
	}
	t, err := c.Creds.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("fc api credentials: %w", err)
	}
	proto := c.Protocol
	if proto == "" {
		proto = "HTTPS"
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cfg := &openapi.Config{AccessKeyId: tea.String(t.AccessKeyID), AccessKeySecret: tea.String(t.AccessKeySecret),
		Endpoint: tea.String(endpoint), Protocol: tea.String(proto),
		ConnectTimeout: tea.Int(int(min(timeout, 5*time.Second).Milliseconds())), ReadTimeout: tea.Int(int(timeout.Milliseconds()))}
	if t.SecurityToken != "" {
		cfg.SecurityToken = tea.String(t.SecurityToken)
	}
	return openapi.NewClient(cfg)
}

// call runs one ROA operation and decodes its JSON body into out.
func (c *Client) call(ctx context.Context, action, method, path string, query map[string]*string, body any, out any) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fc %s: %w", action, err)
	}
	cl, err := c.client(ctx)
	if err != nil {
		return err
	}
	params := &openapi.Params{Action: tea.String(action), Version: tea.String(apiVersion),
		Protocol: cl.Protocol, Pathname: tea.String(path), Method: tea.String(method),
		AuthType: tea.String("AK"), Style: tea.String("ROA"), ReqBodyType: tea.String("json"), BodyType: tea.String("json")}
	req := &openapi.OpenApiRequest{Query: query}
	if body != nil {
		req.Body = body
	}
	res, err := cl.CallApi(params, req, &util.RuntimeOptions{})
	if err != nil {
		return fmt.Errorf("fc %s %s: %w", action, path, err)
	}
	raw, err := json.Marshal(res["body"])
	if err != nil {
		return fmt.Errorf("fc %s: %w", action, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("fc %s: answer: %w", action, err)
	}
	return nil
}

func aliasPath(function, alias string) string {
	return "/" + apiVersion + "/functions/" + url.PathEscape(function) + "/aliases/" + url.PathEscape(alias)
}

// GetAlias is FC's GetAlias.
func (c *Client) GetAlias(ctx context.Context, function, alias string) (Alias, error) {
	var a Alias
	err := c.call(ctx, "GetAlias", "GET", aliasPath(function, alias), nil, nil, &a)
	return a, err
}

// UpdateAlias is FC's UpdateAlias; the weight is always sent, {} to clear
// it (whether leaving it out clears it is unverified).
func (c *Client) UpdateAlias(ctx context.Context, function, alias, versionID string, weights map[string]float64, description string) (Alias, error) {
	w := map[string]any{}
	for k, v := range weights {
		w[k] = v
	}
	body := map[string]any{"versionId": versionID, "additionalVersionWeight": w, "description": description}
	var a Alias
	err := c.call(ctx, "UpdateAlias", "PUT", aliasPath(function, alias), nil, body, &a)
	return a, err
}

// ListVersions is FC's ListFunctionVersions, newest first.
func (c *Client) ListVersions(ctx context.Context, function string, limit int) ([]Version, error) {
	var out struct {
		Versions []Version `json:"versions"`
	}
	q := map[string]*string{"limit": tea.String(fmt.Sprint(limit)), "direction": tea.String("BACKWARD")}
	err := c.call(ctx, "ListFunctionVersions", "GET", "/"+apiVersion+"/functions/"+url.PathEscape(function)+"/versions", q, nil, &out)
	return out.Versions, err
}

// PublishVersion is FC's PublishFunctionVersion (the operator command and
// the local stack use it; the controller never publishes).
func (c *Client) PublishVersion(ctx context.Context, function, description string) (Version, error) {
	var v Version
	err := c.call(ctx, "PublishFunctionVersion", "POST", "/"+apiVersion+"/functions/"+url.PathEscape(function)+"/versions",
		nil, map[string]any{"description": description}, &v)
	return v, err
}
