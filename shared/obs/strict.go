package obs

import (
	"context"
	"sync"
	"time"
)

// FlushOrFail ships what ctx's batch holds, synchronously, and says whether
// SLS stored it. Flush never fails its caller; this is for the one caller
// whose answer depends on it: the receipts function must not tell Alibaba
// "recorded" unless the receipts are in SLS, because Alibaba stops
// re-pushing a receipt once it is acknowledged. On failure the events
// still go to stdout (FC collects it), and a re-push records them again as
// proper fields; re-pushed receipts share a receipt_id, so queries count
// them once.
//
// Without an SLS destination, stdout is where events go, and that counts
// as stored.
func (s *Shipper) FlushOrFail(ctx context.Context) error {
	b := batchFrom(ctx)
	if b == nil {
		return nil
	}
	events := b.close()
	if s.spans == nil {
		return s.store(ctx, events)
	}
	// Both writes are synchronous (nothing may be left to a goroutine once
	// the function answers) but independent: run them side by side so the
	// invocation waits for the slower one, not their sum.
	var wg sync.WaitGroup
	wg.Go(func() { _ = s.spans.export(ctx, s, events, b.start, time.Now()) })
	err := s.store(ctx, events)
	wg.Wait()
	return err
}
