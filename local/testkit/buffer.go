// Package testkit holds the small helpers that the tests of several
// packages share. Only tests import it.
package testkit

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that goroutines (a server's handlers, a child
// process's output pipes) may write to while a test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
