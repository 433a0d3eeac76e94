package benchmarks

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"time"
)

// cpuFloorTarget is how long the CPU floor's fixed work takes at its
// median, about what (a), the handler's own work, takes at its p50.
const cpuFloorTarget = 100 * time.Microsecond

// cpuWork is a fixed amount of pure computation: SHA-256 over 1 KiB, n
// times, with no allocation and no system call. The bench times it right
// after a round trip, as (a)'s pieces run right after the waits for
// Dysmsapi: the spread of that fixed work is what this machine does to any
// short burst of CPU after a wait (a vCPU woken from halt, cold caches,
// another tenant), which no code can remove. Read (a)'s p99 against it.
type cpuWork struct {
	n   int
	buf [1024]byte
}

// newCPUWork calibrates n so that the work takes about target.
func newCPUWork(target time.Duration) *cpuWork {
	w := &cpuWork{n: 1}
	per := make([]time.Duration, 0, 201)
	for range cap(per) {
		per = append(per, w.run())
	}
	slices.Sort(per)
	if one := per[len(per)/2]; one > 0 {
		w.n = max(1, int(target/one))
	}
	return w
}

func (w *cpuWork) run() time.Duration {
	start := time.Now()
	for range w.n {
		sum := sha256.Sum256(w.buf[:])
		w.buf[0] ^= sum[0] // each round depends on the last: nothing to skip
	}
	return time.Since(start)
}

func (w *cpuWork) String() string { return fmt.Sprintf("SHA-256 of 1 KiB ×%d", w.n) }
