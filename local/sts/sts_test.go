package sts

import (
	"errors"
	"testing"
	"time"
)

func TestIssuedTokenVerifies(t *testing.T) {
	c := Issue(time.Hour)
	if err := Verify(c.AccessKeyID, c.SecurityToken, time.Now()); err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	secret, err := SecretFor(c.AccessKeyID)
	if err != nil || secret != c.AccessKeySecret {
		t.Fatalf("SecretFor = %q, %v; want the issued secret", secret, err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	now := time.Now()
	good := Issue(time.Hour)
	other := Issue(time.Hour)
	expired := IssueAt(now.Add(-2*time.Hour), time.Hour)
	cases := []struct {
		name, ak, token string
		want            error
	}{
		{"expired", expired.AccessKeyID, expired.SecurityToken, ErrTokenExpired},
		{"tampered", good.AccessKeyID, good.SecurityToken + "x", ErrTokenMalformed},
		{"garbage", good.AccessKeyID, "not-a-token", ErrTokenMalformed},
		{"someone else's token", good.AccessKeyID, other.SecurityToken, ErrTokenMismatch},
		{"sts key without token", good.AccessKeyID, "", ErrTokenRequired},
		{"unknown key", "LTAIunknown", "", ErrUnknownAccessKey},
	}
	for _, c := range cases {
		if err := Verify(c.ak, c.token, now); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
	if err := Verify(LocalAccessKeyID, "", now); err != nil {
		t.Errorf("local long-lived pair refused: %v", err)
	}
}
