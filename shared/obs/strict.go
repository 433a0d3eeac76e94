package obs

import (
	"context"
	"fmt"
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
	events := b.take()
	if len(events) == 0 {
		return nil
	}
	endpoint, project, logstore := s.destination(ctx)
	if endpoint == "" || project == "" || logstore == "" {
		s.toStdout(events)
		return nil
	}
	if err := s.put(ctx, endpoint, project, logstore, events); err != nil {
		s.Failures.Add(1)
		s.toStdout(events)
		s.diagnose(fmt.Sprintf("shipping %d events to SLS %s/%s failed, wrote them to stdout and reported the failure: %v", len(events), project, logstore, err))
		return fmt.Errorf("storing %d events in SLS %s/%s: %w", len(events), project, logstore, err)
	}
	return nil
}
