package idem

import (
	"bytes"
	"context"
	"sort"
	"sync"
	"time"
)

const (
	// memoryMaxKeys bounds what one instance keeps (answers and send-limit
	// windows together, each well under 1 KB): a flood of distinct keys
	// must not grow the process until FC kills it. At one request a second
	// an instance fills it in about 14 hours, beyond any sensible retry.
	memoryMaxKeys = 50_000
	// memorySweepEvery is how often a write drops everything expired.
	memorySweepEvery = time.Minute
)

// NewMemory returns a per-process store: what the HTTP function falls back
// to without Redis. An FC instance runs one invocation at a time and has
// its own memory, so this store holds what the requests of one instance
// saw: it catches a retry only when it reaches the same instance, counts
// send limits per instance, and forgets everything when the instance is
// recycled (docs/idempotency.md).
func NewMemory(retention, lease time.Duration) *Store {
	return &Store{b: newMemory(time.Now), kind: KindMemory, retention: retention, lease: lease, now: time.Now}
}

func newMemory(now func() time.Time) *memory {
	return &memory{vals: map[string]memValue{}, windows: map[string][]memEntry{}, now: now,
		maxKeys: memoryMaxKeys}
}

type memValue struct {
	val     []byte
	expires time.Time
}

// memEntry is one send in a window; it leaves the window when it expires.
type memEntry struct {
	expires time.Time
	member  string
}

type memory struct {
	mu        sync.Mutex
	vals      map[string]memValue
	windows   map[string][]memEntry
	now       func() time.Time
	maxKeys   int
	lastSweep time.Time
}

// live returns key's value, forgetting it once expired.
func (m *memory) live(key string) (memValue, bool) {
	v, ok := m.vals[key]
	if ok && !m.now().Before(v.expires) {
		delete(m.vals, key)
		return memValue{}, false
	}
	return v, ok
}

// liveEntries returns key's window entries that have not expired, and
// forgets the key once none is left.
func (m *memory) liveEntries(key string, now time.Time) []memEntry {
	entries := m.windows[key]
	kept := entries[:0]
	for _, e := range entries {
		if e.expires.After(now) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		delete(m.windows, key)
		return nil
	}
	m.windows[key] = kept
	return kept
}

// tidy runs before every write: a full sweep of what expired once a
// minute, and when the store is over its bound, the entries closest to
// expiry go first (the oldest answers, which a retry is least likely to
// need; claims in flight are the newest and go last).
func (m *memory) tidy() {
	now := m.now()
	if now.Sub(m.lastSweep) >= memorySweepEvery || m.size() >= m.maxKeys {
		m.lastSweep = now
		for k := range m.vals {
			m.live(k)
		}
		for k := range m.windows {
			m.liveEntries(k, now)
		}
	}
	if m.size() >= m.maxKeys {
		m.evict(m.size() - m.maxKeys*15/16)
	}
}

func (m *memory) size() int { return len(m.vals) + len(m.windows) }

// evict forgets the n keys that would expire first.
func (m *memory) evict(n int) {
	type cand struct {
		key     string
		window  bool
		expires time.Time
	}
	all := make([]cand, 0, m.size())
	for k, v := range m.vals {
		all = append(all, cand{k, false, v.expires})
	}
	for k, es := range m.windows {
		all = append(all, cand{k, true, es[len(es)-1].expires})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].expires.Before(all[j].expires) })
	for _, c := range all[:min(n, len(all))] {
		if c.window {
			delete(m.windows, c.key)
		} else {
			delete(m.vals, c.key)
		}
	}
}

func (m *memory) setNX(_ context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.live(key); ok {
		return false, nil
	}
	m.tidy()
	m.vals[key] = memValue{val: append([]byte(nil), val...), expires: m.now().Add(ttl)}
	return true, nil
}

func (m *memory) get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.live(key)
	return append([]byte(nil), v.val...), ok, nil
}

func (m *memory) swap(_ context.Context, key string, old, val []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.live(key)
	if !ok || !bytes.Equal(v.val, old) {
		return false, nil
	}
	if ttl > 0 {
		v.expires = m.now().Add(ttl)
	}
	v.val = append([]byte(nil), val...)
	m.vals[key] = v
	return true, nil
}

func (m *memory) drop(_ context.Context, key string, old []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.live(key)
	if !ok || !bytes.Equal(v.val, old) {
		return false, nil
	}
	delete(m.vals, key)
	return true, nil
}

func (m *memory) take(_ context.Context, windows []windowKey, member string, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var wait time.Duration
	for _, w := range windows {
		kept := m.liveEntries(w.key, now)
		if holds(kept, member) {
			continue // counted by this same take already: not full for it
		}
		if n := len(kept); n >= w.limit {
			// Room comes when the entry that keeps the window full expires.
			wait = max(wait, kept[n-w.limit].expires.Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	m.tidy()
	for _, w := range windows {
		if !holds(m.windows[w.key], member) {
			m.windows[w.key] = append(m.windows[w.key], memEntry{expires: now.Add(w.per), member: member})
		}
	}
	return 0, nil
}

// holds reports whether entries count member: take is idempotent per
// member, as the Redis script is (a retried take counts once).
func holds(entries []memEntry, member string) bool {
	for _, e := range entries {
		if e.member == member {
			return true
		}
	}
	return false
}

func (m *memory) untake(_ context.Context, keys []string, member string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		entries := m.windows[k]
		for i, e := range entries {
			if e.member == member {
				m.windows[k] = append(entries[:i:i], entries[i+1:]...)
				break
			}
		}
		if len(m.windows[k]) == 0 {
			delete(m.windows, k)
		}
	}
	return nil
}

func (m *memory) ping(context.Context) error { return nil }
func (m *memory) close() error               { return nil }
