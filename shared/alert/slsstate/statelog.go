package slsstate

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/alert"
	"smsflow/shared/obs"
	"smsflow/shared/slsput"
)

// StateEvent is the event name of a stored alert.Record. The evaluator's
// own events use other names (alert.transition, ...), so a reader of this
// stream never mistakes them for state.
const StateEvent = "alert.state"

// HashKey routes every alert.state record to the one shard whose MD5 range
// holds it (PutLogs /shards/route?key=). One shard means one total order
// of claims, which is what alert.Fold's first-claim-wins needs.
const HashKey = "00000000000000000000000000000000"

// pullBatch is how many log groups one PullLogs asks for (SLS's maximum).
const pullBatch = 1000

// Fields of a stored record. `record` is the JSON that Load decodes; the
// others are copies for people and queries.
const (
	fieldEvent  = "event"
	fieldRecord = "record"
)

// StateLog is the alert.StateLog over SLS.
type StateLog struct {
	Conn     *Conn
	Location Location
	// Lookback bounds how far back Load reads; it must cover the longest
	// repeat_interval of the rules.
	Lookback time.Duration
	// OnSkip is told about a stored record that cannot be decoded; Load
	// skips it rather than stop alerting until it ages out. Optional.
	OnSkip func(ctx context.Context, err error)
	// Now is the clock of the look-back; time.Now when nil.
	Now func() time.Time
}

var _ alert.StateLog = (*StateLog)(nil)

// Append writes records, in order, to the state shard: one log group, or
// several in a row when they are more than one PutLogs takes.
func (l *StateLog) Append(ctx context.Context, records []alert.Record) error {
	if len(records) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("state append: %w", err)
	}
	endpoint, loc, cred, err := l.Conn.resolve(ctx, l.Location)
	if err != nil {
		return fmt.Errorf("state append: %w", err)
	}
	group, err := toLogGroup(records, l.now())
	if err != nil {
		return err
	}
	// A wide outage can owe more outcomes than one PutLogs takes; refused
	// whole, they would look unsent and go out again after every lease.
	// The groups go one after another, so the shard keeps their order.
	w := l.Conn.writer(endpoint)
	for _, g := range slsput.Split(group) {
		if err := w.PutLogs(ctx, cred, slsput.Dest{Project: loc.Project, Logstore: loc.Logstore, HashKey: HashKey}, g); err != nil {
			return fmt.Errorf("state append: %w", err)
		}
	}
	return nil
}

func toLogGroup(records []alert.Record, now time.Time) (*slsput.Group, error) {
	logs := make([]slsput.Log, 0, len(records))
	for _, r := range records {
		body, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("state append: encode record %s: %w", r.ID, err)
		}
		logs = append(logs, slsput.Log{Time: now, Contents: []slsput.Content{
			{Key: fieldEvent, Value: StateEvent}, {Key: "rule", Value: r.Key.Rule}, {Key: "group", Value: r.Key.Group},
			{Key: "type", Value: string(r.Type)}, {Key: "id", Value: r.ID}, {Key: "prev", Value: r.Prev},
			{Key: "run_id", Value: r.RunID}, {Key: fieldRecord, Value: string(body)},
		}})
	}
	return &slsput.Group{Logs: logs, Topic: "alert", Source: obs.InstanceID}, nil
}

// Load reads the state shard by cursor from Lookback ago to its end, in
// append order. PullLogs serves what PutLogs stored at once: unlike a
// query, it has no index lag, so a run sees the claims of the one before.
func (l *StateLog) Load(ctx context.Context) ([]alert.Record, error) {
	client, loc, err := l.Conn.target(ctx, l.Location)
	if err != nil {
		return nil, fmt.Errorf("state load: %w", err)
	}
	shards, err := stateShards(client, loc)
	if err != nil {
		return nil, err
	}
	since := strconv.FormatInt(l.now().Add(-l.Lookback).Unix(), 10)
	var out []alert.Record
	for _, id := range shards {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("state load: %w", err)
		}
		recs, err := l.pullShard(ctx, client, loc, id, since)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// stateShards lists the shards whose hash range holds HashKey, oldest
// first: normally one; after a split or merge the read-only ancestor
// holds the older records and comes before its successor.
func stateShards(client sls.ClientInterface, loc Location) ([]int, error) {
	shards, err := client.ListShards(loc.Project, loc.Logstore)
	if err != nil {
		return nil, fmt.Errorf("state load: ListShards %s/%s: %w", loc.Project, loc.Logstore, err)
	}
	var hold []*sls.Shard
	for _, s := range shards {
		begin, end := strings.ToLower(s.InclusiveBeginKey), strings.ToLower(s.ExclusiveBeginKey)
		if HashKey >= begin && (HashKey < end || end == "") {
			hold = append(hold, s)
		}
	}
	if len(hold) == 0 {
		return nil, fmt.Errorf("state load: no shard of %s/%s holds hash key %s", loc.Project, loc.Logstore, HashKey)
	}
	slices.SortFunc(hold, func(a, b *sls.Shard) int {
		if a.CreateTime != b.CreateTime {
			return a.CreateTime - b.CreateTime
		}
		return a.ShardID - b.ShardID
	})
	ids := make([]int, len(hold))
	for i, s := range hold {
		ids[i] = s.ShardID
	}
	return ids, nil
}

func (l *StateLog) pullShard(ctx context.Context, client sls.ClientInterface, loc Location, shard int, since string) ([]alert.Record, error) {
	cursor, err := client.GetCursor(loc.Project, loc.Logstore, shard, since)
	if err != nil {
		return nil, fmt.Errorf("state load: GetCursor shard %d: %w", shard, err)
	}
	// Read up to the end as it is now: records appended meanwhile belong
	// to the next Load, and the loop cannot chase a busy shard forever.
	end, err := client.GetCursor(loc.Project, loc.Logstore, shard, "end")
	if err != nil {
		return nil, fmt.Errorf("state load: GetCursor shard %d: %w", shard, err)
	}
	var out []alert.Record
	for cursor != end {
		list, next, err := client.PullLogs(loc.Project, loc.Logstore, shard, cursor, end, pullBatch)
		if err != nil {
			return nil, fmt.Errorf("state load: PullLogs shard %d: %w", shard, err)
		}
		for _, g := range list.LogGroups {
			out = append(out, l.decodeGroup(ctx, g)...)
		}
		if next == cursor || len(list.LogGroups) == 0 {
			break
		}
		cursor = next
	}
	return out, nil
}

func (l *StateLog) decodeGroup(ctx context.Context, g *sls.LogGroup) []alert.Record {
	var out []alert.Record
	for _, log := range g.Logs {
		var event, body string
		for _, c := range log.Contents {
			switch c.GetKey() {
			case fieldEvent:
				event = c.GetValue()
			case fieldRecord:
				body = c.GetValue()
			}
		}
		if event != StateEvent {
			continue // the state logstore may be shared with other events
		}
		var r alert.Record
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.Type == "" {
			if l.OnSkip != nil {
				l.OnSkip(ctx, fmt.Errorf("undecodable %s record: %v", StateEvent, err))
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func (l *StateLog) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}
