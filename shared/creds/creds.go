// Package creds answers one question for every Alibaba call: which credential
// triple signs it. Inside FC it is the function role's STS triple that FC
// hands to each invocation (and rotates); outside FC it is credentials-go's
// default chain. A long-lived AccessKey (no security token) is refused unless
// the process runs against the local stack: it would be a leaked key waiting
// to happen.
package creds

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aliyun/credentials-go/credentials"
	"smsflow/shared/fcctx"
)

// Triple is an access key id, its secret, and (for STS) its security token.
type Triple struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// ErrLongLived is returned for a credential without a security token.
var ErrLongLived = errors.New("a long-lived AccessKey (no STS security token) is refused: use STS credentials (a function: its RAM role; smsflow commands: a ram_role_arn, sso or oidc profile), or run against the local stack")

// ErrNone is returned when no credential is available at all.
var ErrNone = errors.New("no credentials: outside FC, configure the credentials-go default chain (env, OIDC, config file, ECS role)")

// Source yields the triple for a call made on behalf of ctx.
type Source struct {
	allowLongLived bool

	once  sync.Once
	chain credentials.Credential
	err   error
}

// NewSource returns a Source. allowLongLived is for the local stack only.
func NewSource(allowLongLived bool) *Source {
	return &Source{allowLongLived: allowLongLived}
}

// Get returns the invocation's FC credentials when ctx carries them, else
// the default chain's (which caches and refreshes on its own).
func (s *Source) Get(ctx context.Context) (Triple, error) {
	t, err := s.lookup(ctx)
	if err != nil {
		return Triple{}, err
	}
	if t.AccessKeyID == "" || t.AccessKeySecret == "" {
		return Triple{}, ErrNone
	}
	if t.SecurityToken == "" && !s.allowLongLived {
		return Triple{}, ErrLongLived
	}
	return t, nil
}

func (s *Source) lookup(ctx context.Context) (Triple, error) {
	if fc, ok := fcctx.Read(ctx); ok && fc.Credentials.AccessKeyId != "" {
		c := fc.Credentials
		return Triple{c.AccessKeyId, c.AccessKeySecret, c.SecurityToken}, nil
	}
	s.once.Do(func() {
		s.chain, s.err = credentials.NewCredential(nil)
	})
	if s.err != nil {
		return Triple{}, fmt.Errorf("%w: %v", ErrNone, s.err)
	}
	m, err := s.chain.GetCredential()
	if err != nil {
		return Triple{}, fmt.Errorf("%w: %v", ErrNone, err)
	}
	return Triple{deref(m.AccessKeyId), deref(m.AccessKeySecret), deref(m.SecurityToken)}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
