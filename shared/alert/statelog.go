package alert

import (
	"context"
	"slices"
	"sync"
)

// StateLog is the append-only store of alert.state records that replaces
// a database. The lead backs it with SLS: Append = PutLogs of one
// alert.state event per record (to ONE shard, so that every reader sees
// one order); Load = cursor reads (PullLogs, no index lag) from far enough
// back to cover the longest repeat_interval, in log order.
//
// The store stays dumb on purpose: deciding who won a race is Fold's job,
// so every reader decides the same way.
type StateLog interface {
	// Load returns the records in append order.
	Load(ctx context.Context) ([]Record, error)
	// Append adds records at the end of the log, in order.
	Append(ctx context.Context, records []Record) error
}

// MemoryStateLog is a StateLog in memory, for tests and the local stack.
type MemoryStateLog struct {
	mu      sync.Mutex
	records []Record
}

func (m *MemoryStateLog) Load(context.Context) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.records), nil
}

func (m *MemoryStateLog) Append(_ context.Context, records []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, records...)
	return nil
}

// Records returns a copy of everything appended so far.
func (m *MemoryStateLog) Records() []Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.records)
}
