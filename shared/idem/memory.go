package idem

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// NewMemory returns a per-process store: what the HTTP function falls back
// to without Redis. It catches a retry only when it reaches the same
// instance, and forgets everything when the instance is recycled.
func NewMemory(retention, lease time.Duration) *Store {
	return &Store{b: &memory{vals: map[string]memValue{}, windows: map[string][]memEntry{}, now: time.Now},
		kind: KindMemory, retention: retention, lease: lease, now: time.Now}
}

type memValue struct {
	val     []byte
	expires time.Time
}

type memEntry struct {
	at     time.Time
	member string
}

type memory struct {
	mu      sync.Mutex
	vals    map[string]memValue
	windows map[string][]memEntry
	now     func() time.Time
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

func (m *memory) setNX(_ context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.live(key); ok {
		return false, nil
	}
	m.vals[key] = memValue{val: append([]byte(nil), val...), expires: m.now().Add(ttl)}
	m.sweep()
	return true, nil
}

// sweep drops expired values now and then, so a long-lived instance does
// not keep a day of keys it will never be asked about.
func (m *memory) sweep() {
	if len(m.vals)%256 != 0 {
		return
	}
	for k := range m.vals {
		m.live(k)
	}
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
		entries := m.windows[w.key]
		kept := entries[:0]
		for _, e := range entries {
			if e.at.After(now.Add(-w.per)) {
				kept = append(kept, e)
			}
		}
		m.windows[w.key] = kept
		if n := len(kept); n >= w.limit {
			// Room comes when the entry that keeps the window full expires.
			wait = max(wait, kept[n-w.limit].at.Add(w.per).Sub(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	for _, w := range windows {
		m.windows[w.key] = append(m.windows[w.key], memEntry{at: now, member: member})
	}
	return 0, nil
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
	}
	return nil
}

func (m *memory) ping(context.Context) error { return nil }
func (m *memory) close() error               { return nil }
