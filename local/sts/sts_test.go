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

// Verify remembers tokens it has verified (tokenCache); what it remembers
// must not outlive the token or vouch for anything else.
func TestARememberedTokenStillExpiresAndVouchesForNothingElse(t *testing.T) {
	now := time.Now()
	c := Issue(time.Hour)
	other := Issue(time.Hour)
	if err := Verify(c.AccessKeyID, c.SecurityToken, now); err != nil {
		t.Fatal(err)
	}
	if err := Verify(c.AccessKeyID, c.SecurityToken, now.Add(2*time.Hour)); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("a verified token two hours later: %v, want expired", err)
	}
	if err := Verify(other.AccessKeyID, c.SecurityToken, now); !errors.Is(err, ErrTokenMismatch) {
		t.Errorf("a verified token with another key id: %v, want mismatch", err)
	}
	if err := Verify(c.AccessKeyID, c.SecurityToken+"x", now); !errors.Is(err, ErrTokenMalformed) {
		t.Errorf("a verified token tampered with: %v, want malformed", err)
	}
}
