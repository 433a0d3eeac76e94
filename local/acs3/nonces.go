package acs3

import (
	"sync"
	"time"
)

// nonceTTL outlives the 15-minute timestamp window, so any request that
// could still pass the freshness check finds its nonce remembered.
const nonceTTL = 20 * time.Minute

// Nonces remembers signature nonces per access key. It has its own lock:
// replay checks must not wait behind a service's business state.
type Nonces struct {
	mu        sync.Mutex
	seen      map[string]time.Time
	lastPrune time.Time
}

// NewNonces returns an empty nonce memory.
func NewNonces() *Nonces { return &Nonces{seen: map[string]time.Time{}} }

// Use records the nonce and reports whether it was fresh.
func (n *Nonces) Use(accessKeyID, nonce string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if now.Sub(n.lastPrune) > time.Minute {
		for k, t := range n.seen {
			if now.Sub(t) > nonceTTL {
				delete(n.seen, k)
			}
		}
		n.lastPrune = now
	}
	key := accessKeyID + "\x00" + nonce
	if t, ok := n.seen[key]; ok && now.Sub(t) <= nonceTTL {
		return false
	}
	n.seen[key] = now
	return true
}
