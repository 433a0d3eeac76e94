package obs

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// A batch beyond one PutLogs' limits is cut into groups SLS takes, every
// event kept and in order; a batch within them stays one group.
// conformance: SLS-03
func TestBatchIsSplitWithinPutLogsLimits(t *testing.T) {
	batch := func(n, valueBytes int) []Event {
		events := make([]Event, n)
		for i := range events {
			events[i] = Event{Time: time.Now(), Fields: []Field{{Key: "seq", Value: strconv.Itoa(i)}, {Key: "v", Value: strings.Repeat("x", valueBytes)}}}
		}
		return events
	}
	for name, c := range map[string]struct {
		events []Event
		groups int
	}{
		"small":        {batch(3, 10), 1},
		"many logs":    {batch(9000, 10), 3},
		"large logs":   {batch(100, 100<<10), 4},
		"just at 4096": {batch(maxLogsPerPut, 10), 1},
	} {
		groups := SplitForPutLogs(toLogGroup(c.events, "receipts", "i"))
		if len(groups) != c.groups {
			t.Errorf("%s: %d groups, want %d", name, len(groups), c.groups)
		}
		next := 0
		for _, g := range groups {
			if len(g.Logs) > maxLogsPerPut || g.Size() > 3<<20 || g.GetTopic() != "receipts" {
				t.Errorf("%s: a group of %d logs, %d bytes, topic %q", name, len(g.Logs), g.Size(), g.GetTopic())
			}
			for _, l := range g.Logs {
				if l.Contents[0].GetValue() != strconv.Itoa(next) {
					t.Fatalf("%s: log %s where %d was due", name, l.Contents[0].GetValue(), next)
				}
				next++
			}
		}
		if next != len(c.events) {
			t.Errorf("%s: %d of %d events in the groups", name, next, len(c.events))
		}
	}
}
