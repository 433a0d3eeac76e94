// Package sts is the local stack's stand-in for Alibaba's Security Token
// Service. It issues short-lived credential triples the way the FC function
// role does, and lets every emulator verify them without shared state: the
// token carries its own access key id and expiry, sealed with an HMAC under a
// fixed local root key. Nothing here is secret; it only works on loopback.
package sts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The documented local-only AccessKey pair. It is long-lived on purpose, so
// that any official SDK or the aliyun CLI can be pointed at the emulators.
// Production code refuses a long-lived key unless it runs against the local stack.
const (
	LocalAccessKeyID     = "smsflow-local-id"
	LocalAccessKeySecret = "smsflow-local-secret"
)

// rootKey seals local tokens. It is a constant because the emulators may run
// in different processes and across restarts; it guards nothing real.
var rootKey = []byte("smsflow-local-sts-root")

const tokenPrefix = "LOCALSTS."

// Credential is an STS triple with its expiry.
type Credential struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      time.Time
}

// Errors a verifier maps onto the service's own error codes.
var (
	ErrUnknownAccessKey = errors.New("sts: access key id not found")
	ErrTokenMalformed   = errors.New("sts: security token malformed")
	ErrTokenExpired     = errors.New("sts: security token expired")
	ErrTokenMismatch    = errors.New("sts: security token does not match access key id")
	ErrTokenRequired    = errors.New("sts: STS access key id used without a security token")
)

type claims struct {
	AccessKeyID string `json:"ak"`
	Expires     int64  `json:"exp"`
}

// Issue returns a fresh triple valid for ttl (FC hands out ~36 h tokens).
func Issue(ttl time.Duration) Credential {
	return IssueAt(time.Now(), ttl)
}

// IssueAt is Issue with an explicit clock, so tests can mint expired tokens.
func IssueAt(now time.Time, ttl time.Duration) Credential {
	var b [8]byte
	_, _ = rand.Read(b[:])
	ak := "STS.local" + hex.EncodeToString(b[:])
	exp := now.Add(ttl).UTC().Truncate(time.Second)
	payload, _ := json.Marshal(claims{AccessKeyID: ak, Expires: exp.Unix()})
	body := base64.RawURLEncoding.EncodeToString(payload)
	return Credential{
		AccessKeyID:     ak,
		AccessKeySecret: secretFor(ak),
		SecurityToken:   tokenPrefix + body + "." + sign(body),
		Expiration:      exp,
	}
}

// SecretFor answers the secret for an access key id the local stack knows:
// the fixed local pair, or an STS key id (whose secret is derived from it).
// An STS key id is only usable together with its token: see Verify.
func SecretFor(accessKeyID string) (string, error) {
	switch {
	case accessKeyID == LocalAccessKeyID:
		return LocalAccessKeySecret, nil
	case strings.HasPrefix(accessKeyID, "STS.local"):
		return secretFor(accessKeyID), nil
	default:
		return "", ErrUnknownAccessKey
	}
}

// Verify checks the security token presented with accessKeyID at time now.
// An empty token is fine for the long-lived local pair only.
func Verify(accessKeyID, token string, now time.Time) error {
	if token != "" {
		if exp, ok := verified.get(accessKeyID, token); ok {
			if now.Unix() >= exp {
				return ErrTokenExpired
			}
			return nil
		}
	}
	if _, err := SecretFor(accessKeyID); err != nil {
		return err
	}
	isSTS := strings.HasPrefix(accessKeyID, "STS.")
	if token == "" {
		if isSTS {
			return ErrTokenRequired
		}
		return nil
	}
	body, mac, ok := strings.Cut(strings.TrimPrefix(token, tokenPrefix), ".")
	if !ok || !strings.HasPrefix(token, tokenPrefix) || !hmac.Equal([]byte(mac), []byte(sign(body))) {
		return ErrTokenMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return ErrTokenMalformed
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("%w: %v", ErrTokenMalformed, err)
	}
	if c.AccessKeyID != accessKeyID {
		return ErrTokenMismatch
	}
	verified.put(accessKeyID, token, c.Expires)
	if now.Unix() >= c.Expires {
		return ErrTokenExpired
	}
	return nil
}

// verified remembers the expiry of tokens whose seal and key id checked
// out, as a real service caches what it has verified: every signed request
// of a function carries the same token for hours, and checking the seal
// (HMAC, base64, JSON) was a tenth of an emulator's answer. Only a token
// that verified is remembered, and the expiry is still checked each time.
var verified = tokenCache{m: map[[2]string]int64{}}

// maxVerified bounds the cache; past it, it starts again empty.
const maxVerified = 4096

type tokenCache struct {
	mu sync.Mutex
	m  map[[2]string]int64
}

func (c *tokenCache) get(ak, token string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.m[[2]string{ak, token}]
	return exp, ok
}

func (c *tokenCache) put(ak, token string, exp int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxVerified {
		clear(c.m)
	}
	c.m[[2]string{ak, token}] = exp
}

func secretFor(ak string) string {
	m := hmac.New(sha256.New, rootKey)
	m.Write([]byte("secret:" + ak))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func sign(body string) string {
	m := hmac.New(sha256.New, rootKey)
	m.Write([]byte("token:" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
