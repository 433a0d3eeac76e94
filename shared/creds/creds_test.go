package creds

import (
	"context"
	"errors"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
)

func fcCtx(ak, secret, token string) context.Context {
	return fccontext.NewContext(context.Background(), &fccontext.FcContext{
		Credentials: fccontext.Credentials{AccessKeyId: ak, AccessKeySecret: secret, SecurityToken: token},
	})
}

func TestInvocationCredentialsWin(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")
	s := NewSource(false)
	got, err := s.Get(fcCtx("STS.a", "sa", "ta"))
	if err != nil || got != (Triple{"STS.a", "sa", "ta"}) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	// Rotation: the next invocation's triple is used, not a cached one.
	got, err = s.Get(fcCtx("STS.b", "sb", "tb"))
	if err != nil || got.AccessKeyID != "STS.b" {
		t.Fatalf("rotated Get = %+v, %v", got, err)
	}
}

func TestOutsideFCUsesDefaultChain(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")
	got, err := NewSource(false).Get(context.Background())
	if err != nil || got != (Triple{"env-id", "env-secret", "env-token"}) {
		t.Fatalf("Get = %+v, %v", got, err)
	}
}

func TestLongLivedKeyRefused(t *testing.T) {
	if _, err := NewSource(false).Get(fcCtx("LTAIabc", "secret", "")); !errors.Is(err, ErrLongLived) {
		t.Fatalf("err = %v, want ErrLongLived", err)
	}
	if _, err := NewSource(true).Get(fcCtx("smsflow-local-id", "smsflow-local-secret", "")); err != nil {
		t.Fatalf("local stack refused its own pair: %v", err)
	}
}

func TestNoCredentialsIsClear(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN"} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	if _, err := NewSource(false).Get(context.Background()); !errors.Is(err, ErrNone) {
		t.Fatalf("err = %v, want ErrNone", err)
	}
}
