package fcrt

import (
	"testing"
	"time"
)

func TestRoleCredentialsAreStableUntilNearExpiry(t *testing.T) {
	creds := RoleCredentials(time.Hour)
	a, b := creds(), creds()
	if a != b {
		t.Fatal("two invocations got different triples within the lifetime")
	}
	short := RoleCredentials(2 * time.Second)
	c := short()
	time.Sleep(1500 * time.Millisecond) // past two thirds of the lifetime
	if d := short(); d.AccessKeyID == c.AccessKeyID {
		t.Fatal("the triple was not rotated near its expiry")
	}
}
