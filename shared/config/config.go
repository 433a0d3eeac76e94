// Package config is the single list of environment variables smsflow reads.
// Every setting is a field with an `env` tag; fields tagged `secret:"true"`
// must come from a secret store (s.yaml `${env('...')}`), never a literal.
// Deployment descriptors are checked against these structs, so a variable
// that is read here but not declared there fails a test. Every field also
// has a `max` tag, its value's longest length in bytes: Load refuses
// longer, and the deployment checks add the maxima up against FC's 4 KB
// for all of a function's variables.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Dysms configures the Dysmsapi client.
type Dysms struct {
	// Endpoint is host[:port] without scheme.
	Endpoint string `env:"SMSFLOW_DYSMS_ENDPOINT" envDefault:"dysmsapi.aliyuncs.com" max:"128"`
	// Protocol is HTTPS in the cloud; the local stack uses HTTP.
	Protocol string `env:"SMSFLOW_DYSMS_PROTOCOL" envDefault:"HTTPS" max:"5"`
	RegionID string `env:"SMSFLOW_DYSMS_REGION" envDefault:"cn-hangzhou" max:"32"`
	// ReadTimeout bounds one call, connect included. Alibaba advises no less
	// than 1 s; after a timeout the outcome is unknown and is never retried.
	ReadTimeout time.Duration `env:"SMSFLOW_DYSMS_TIMEOUT" envDefault:"5s" max:"16"`
	// MaxAttempts bounds calls per message, counting the first.
	MaxAttempts int `env:"SMSFLOW_DYSMS_MAX_ATTEMPTS" envDefault:"3" max:"2"`
	// BackoffInitial is the first retry delay; it doubles, with jitter.
	BackoffInitial time.Duration `env:"SMSFLOW_DYSMS_BACKOFF" envDefault:"100ms" max:"16"`
	// AllowLongLivedKey lets a credential without a security token through.
	// Only the local stack sets it, and only for loopback endpoints.
	AllowLongLivedKey bool `env:"SMSFLOW_ALLOW_LONG_LIVED_KEY" max:"5"`
}

// HTTPAuth configures who may call the HTTP API.
type HTTPAuth struct {
	// TriggerAuth is "function" when the FC HTTP trigger authenticates
	// callers itself (authType: function), else "anonymous".
	TriggerAuth string `env:"SMSFLOW_TRIGGER_AUTH" envDefault:"anonymous" max:"9"`
	// TokenSHA256 lists hex SHA-256 hashes of accepted bearer tokens, so the
	// tokens themselves are stored nowhere.
	TokenSHA256 []string `env:"SMSFLOW_API_TOKEN_SHA256" envSeparator:"," secret:"true" max:"649"`
	// MaxBodyBytes caps a request body (1000 numbers fit in well under it).
	MaxBodyBytes int64 `env:"SMSFLOW_MAX_BODY_BYTES" envDefault:"65536" max:"10"`
}

// Privacy configures how personal data is pseudonymised in events.
type Privacy struct {
	// PhoneHashKey keys the HMAC that lets one number be followed across
	// events. Without it a per-instance random key is used (and hashes do
	// not match across instances).
	PhoneHashKey string `env:"SMSFLOW_PHONE_HASH_KEY" secret:"true" max:"128"`
}

// Logs configures where events are shipped.
type Logs struct {
	// Project and Logstore default to the ones the function is bound to
	// (its logConfig); set them to ship elsewhere.
	Project  string `env:"SMSFLOW_SLS_PROJECT" max:"63"`
	Logstore string `env:"SMSFLOW_SLS_LOGSTORE" max:"63"`
	// Endpoint defaults to the region's intranet endpoint
	// (<region>-intranet.log.aliyuncs.com); host[:port], optionally after
	// http:// or https:// (slsput.New picks the scheme from it; http
	// without one, as the SDK does).
	Endpoint string `env:"SMSFLOW_SLS_ENDPOINT" max:"128"`
	// Timeout bounds one synchronous PutLogs, retries included; past it,
	// events go to stdout, which FC collects on its own.
	Timeout time.Duration `env:"SMSFLOW_SLS_TIMEOUT" envDefault:"1s" max:"16"`
	// OTLP, when set, also exports the events' spans as OpenTelemetry traces.
	OTLP
}

// Validate checks where events go and how long a write may take.
func (l Logs) Validate() error {
	if err := checkEndpointURL("SMSFLOW_SLS_ENDPOINT", l.Endpoint); err != nil {
		return err
	}
	if err := checkSLSNames("SMSFLOW_SLS_PROJECT", l.Project, "SMSFLOW_SLS_LOGSTORE", l.Logstore); err != nil {
		return err
	}
	if l.Timeout <= 0 {
		return fmt.Errorf("SMSFLOW_SLS_TIMEOUT must be positive, got %s", l.Timeout)
	}
	// An export that may not take any time never happens (the bad
	// endpoints and headers only turn the export off: docs/tracing.md).
	if l.OTLP.Timeout <= 0 {
		return fmt.Errorf("SMSFLOW_OTLP_TIMEOUT must be positive, got %s", l.OTLP.Timeout)
	}
	return nil
}

// Send is the configuration of functions/send.
type Send struct {
	Dysms
	HTTPAuth
	Privacy
	Logs
	Idempotency
	Tencent
}

// Load reads T from the environment, with defaults, then validates it.
func Load[T any]() (T, error) {
	if err := checkLengths(reflect.TypeFor[T](), os.Getenv); err != nil {
		var zero T
		return zero, fmt.Errorf("config: %w", err)
	}
	cfg, err := env.ParseAs[T]()
	if err != nil {
		return cfg, fmt.Errorf("config: %w", nameVariables(reflect.TypeFor[T](), err))
	}
	if err := checkDurations(reflect.ValueOf(cfg)); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if v, ok := any(&cfg).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
	}
	return cfg, nil
}

// Validate checks what env parsing cannot.
func (c Send) Validate() error {
	if err := c.Dysms.Validate(); err != nil {
		return err
	}
	if err := c.Idempotency.Validate(); err != nil {
		return err
	}
	if err := c.Tencent.Validate(); err != nil {
		return err
	}
	if err := c.HTTPAuth.Validate(); err != nil {
		return err
	}
	if err := c.Logs.Validate(); err != nil {
		return err
	}
	if err := c.Privacy.validate(IsLoopback(c.Dysms.Endpoint), c.RedisAddr != ""); err != nil {
		return err
	}
	// The local stack's token is in README.md: it may only ever open the
	// local stack (whose Dysmsapi endpoint is loopback).
	for _, h := range c.TokenSHA256 {
		if strings.EqualFold(h, LocalStackTokenSHA256) && !IsLoopback(c.Dysms.Endpoint) {
			return fmt.Errorf("SMSFLOW_API_TOKEN_SHA256 holds the hash of the local stack's published token, but SMSFLOW_DYSMS_ENDPOINT is %q: make a real token", c.Dysms.Endpoint)
		}
	}
	return nil
}

// Validate checks the Dysmsapi settings.
func (d Dysms) Validate() error {
	if err := checkHostPort("SMSFLOW_DYSMS_ENDPOINT", d.Endpoint); err != nil {
		return err
	}
	switch {
	case d.Protocol != "HTTP" && d.Protocol != "HTTPS":
		return fmt.Errorf("SMSFLOW_DYSMS_PROTOCOL must be HTTP or HTTPS, got %q", d.Protocol)
	case d.ReadTimeout < time.Second:
		return fmt.Errorf("SMSFLOW_DYSMS_TIMEOUT must be at least 1s (Alibaba's advice), got %s", d.ReadTimeout)
	case d.MaxAttempts < 1 || d.MaxAttempts > 10:
		return fmt.Errorf("SMSFLOW_DYSMS_MAX_ATTEMPTS must be 1..10, got %d", d.MaxAttempts)
	case d.AllowLongLivedKey && !IsLoopback(d.Endpoint):
		return fmt.Errorf("SMSFLOW_ALLOW_LONG_LIVED_KEY is for the local stack only, but SMSFLOW_DYSMS_ENDPOINT is %q", d.Endpoint)
	}
	return nil
}

// Validate checks the authentication settings.
func (a HTTPAuth) Validate() error {
	if a.TriggerAuth != "anonymous" && a.TriggerAuth != "function" {
		return fmt.Errorf("SMSFLOW_TRIGGER_AUTH must be anonymous or function, got %q", a.TriggerAuth)
	}
	if err := validateTokenHashes("SMSFLOW_API_TOKEN_SHA256", a.TokenSHA256); err != nil {
		return err
	}
	if a.MaxBodyBytes < 1024 {
		return fmt.Errorf("SMSFLOW_MAX_BODY_BYTES must be at least 1024, got %d", a.MaxBodyBytes)
	}
	return nil
}

// checkDurations refuses a negative value of every duration setting,
// whatever struct it is in: none of them means anything below zero, and
// some made code panic (rand.N on a negative backoff) or silently fall back
// to a default. Each struct's Validate sets the least sensible value above
// that (zero is refused there where it means nothing).
func checkDurations(v reflect.Value) error {
	var errs []error
	for i := 0; i < v.NumField(); i++ {
		f, fv := v.Type().Field(i), v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			errs = append(errs, checkDurations(fv))
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if d, ok := fv.Interface().(time.Duration); ok && key != "" && d < 0 {
			errs = append(errs, fmt.Errorf("%s cannot be negative, got %s", key, d))
		}
	}
	return errors.Join(errs...)
}

// nameVariables rewrites env's parse errors, which name Go fields, to name
// the environment variable an operator has to fix.
func nameVariables(t reflect.Type, err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	msgs := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if key := envKeyOf(t, pe.Name); key != "" {
				e = fmt.Errorf("%s: %w", key, pe.Err)
			}
		}
		msgs = append(msgs, e)
	}
	return errors.Join(msgs...)
}

// checkLengths refuses a value longer than its field's `max` tag. FC
// allows 4 KB for all of a function's variables together; the deployment
// checks add up these maxima per function, so a value over its maximum
// would void that proof (and FC would refuse the deployment anyway).
func checkLengths(t reflect.Type, getenv func(string) string) error {
	var errs []error
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			errs = append(errs, checkLengths(f.Type, getenv))
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		limit, err := strconv.Atoi(f.Tag.Get("max"))
		if key == "" || err != nil {
			continue
		}
		if n := len(getenv(key)); n > limit {
			errs = append(errs, fmt.Errorf("%s is %d bytes long, at most %d", key, n, limit))
		}
	}
	return errors.Join(errs...)
}

func envKeyOf(t reflect.Type, field string) string {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Name == field {
			key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
			return key
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if key := envKeyOf(f.Type, field); key != "" {
				return key
			}
		}
	}
	return ""
}

// IsLoopback reports whether a host[:port] endpoint is on this machine.
func IsLoopback(endpoint string) bool {
	if strings.Contains(endpoint, "://") {
		// The SLS and FC endpoints may carry a scheme. The host is what
		// url.Parse says it is: "http://127.0.0.1@example.com" is
		// example.com's, and a URL that does not parse is no loopback.
		u, err := url.Parse(endpoint)
		if err != nil || u.Hostname() == "" {
			return false
		}
		endpoint = u.Host
	}
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		host = endpoint
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
