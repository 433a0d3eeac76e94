package fcrt

import (
	"sync"
	"time"

	"smsflow/local/sts"
)

// RoleCredentials stands in for the function role: like FC, it hands every
// invocation the same STS triple until that triple nears its expiry, then a
// fresh one (FC refreshes well before expiry; we do at two thirds of ttl).
// A function therefore sees a rotation every few hours, not every call.
func RoleCredentials(ttl time.Duration) func() sts.Credential {
	var (
		mu  sync.Mutex
		cur sts.Credential
	)
	return func() sts.Credential {
		mu.Lock()
		defer mu.Unlock()
		if cur.AccessKeyID == "" || time.Until(cur.Expiration) < ttl/3 {
			cur = sts.Issue(ttl)
		}
		return cur
	}
}
