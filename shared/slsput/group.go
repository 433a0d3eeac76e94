package slsput

import (
	"time"

	"smsflow/shared/pbwire"
)

// Content is one key and its value: a log's field, or a group's tag.
type Content struct{ Key, Value string }

// Log is one log line of a group.
type Log struct {
	Time     time.Time
	Contents []Content
}

// Group is a LogGroup: logs sharing a topic, a source and tags.
type Group struct {
	Topic, Source string
	Logs          []Log
	Tags          []Content
}

// Field numbers of log.proto (the SDK's log.proto; platform-facts, SLS
// PutLogs; conformance SLS-14).
const (
	fieldGroupLogs   = 1
	fieldGroupTopic  = 3
	fieldGroupSource = 4
	fieldGroupTags   = 6
	fieldLogTime     = 1
	fieldLogContents = 2
	fieldLogTimeNs   = 4
	fieldContentKey  = 1
	fieldContentVal  = 2
)

// Marshal encodes g as the LogGroup protobuf, fields in number order as
// the SDK's generated code writes them.
func (g *Group) Marshal() []byte {
	return g.AppendTo(make([]byte, 0, g.Size()))
}

// AppendTo appends g's encoding to b.
func (g *Group) AppendTo(b []byte) []byte {
	for i := range g.Logs {
		b = pbwire.AppendTag(b, fieldGroupLogs, pbwire.BytesType)
		b = pbwire.AppendVarint(b, uint64(g.Logs[i].size()))
		b = g.Logs[i].appendTo(b)
	}
	b = appendString(b, fieldGroupTopic, g.Topic)
	b = appendString(b, fieldGroupSource, g.Source)
	for _, t := range g.Tags {
		b = pbwire.AppendTag(b, fieldGroupTags, pbwire.BytesType)
		b = pbwire.AppendVarint(b, uint64(t.size()))
		b = t.appendTo(b)
	}
	return b
}

// Size is the length of g's encoding: what PutLogs limits (3 MB raw).
func (g *Group) Size() int {
	n := stringSize(fieldGroupTopic, g.Topic) + stringSize(fieldGroupSource, g.Source)
	for i := range g.Logs {
		n += messageSize(fieldGroupLogs, g.Logs[i].size())
	}
	for _, t := range g.Tags {
		n += messageSize(fieldGroupTags, t.size())
	}
	return n
}

func (l *Log) appendTo(b []byte) []byte {
	b = pbwire.AppendTag(b, fieldLogTime, pbwire.VarintType)
	b = pbwire.AppendVarint(b, uint64(uint32(l.Time.Unix())))
	for _, c := range l.Contents {
		b = pbwire.AppendTag(b, fieldLogContents, pbwire.BytesType)
		b = pbwire.AppendVarint(b, uint64(c.size()))
		b = c.appendTo(b)
	}
	b = pbwire.AppendTag(b, fieldLogTimeNs, pbwire.Fixed32Type)
	return pbwire.AppendFixed32(b, uint32(l.Time.Nanosecond()))
}

func (l *Log) size() int {
	n := pbwire.SizeTag(fieldLogTime) + pbwire.SizeVarint(uint64(uint32(l.Time.Unix()))) +
		pbwire.SizeTag(fieldLogTimeNs) + pbwire.SizeFixed32()
	for _, c := range l.Contents {
		n += messageSize(fieldLogContents, c.size())
	}
	return n
}

func (c Content) appendTo(b []byte) []byte {
	return appendString(appendString(b, fieldContentKey, c.Key), fieldContentVal, c.Value)
}

func (c Content) size() int {
	return stringSize(fieldContentKey, c.Key) + stringSize(fieldContentVal, c.Value)
}

func appendString(b []byte, num pbwire.Number, s string) []byte {
	return pbwire.AppendString(pbwire.AppendTag(b, num, pbwire.BytesType), s)
}

func stringSize(num pbwire.Number, s string) int {
	return pbwire.SizeTag(num) + pbwire.SizeBytes(len(s))
}

func messageSize(num pbwire.Number, n int) int {
	return pbwire.SizeTag(num) + pbwire.SizeBytes(n)
}

// PutLogs takes at most 4096 logs and 3 MB (raw protobuf) per log group
// and refuses the whole group past either (PostBodyTooLarge; conformance
// SLS-03). A receipt push can hold thousands of receipts, and a group SLS
// refuses is refused again on every re-push, so a batch is cut into groups
// within both.
const (
	MaxLogs     = 4096
	maxRawBytes = 3<<20 - 64<<10 // room for the topic, source and tags
)

// Split cuts g into groups PutLogs takes, in order; a group within the
// limits is returned as it is.
func Split(g *Group) []*Group {
	if len(g.Logs) <= MaxLogs && g.Size() <= maxRawBytes {
		return []*Group{g}
	}
	var out []*Group
	start, size := 0, 0
	for i := range g.Logs {
		n := messageSize(fieldGroupLogs, g.Logs[i].size())
		if i > start && (i-start == MaxLogs || size+n > maxRawBytes) {
			out = append(out, &Group{Logs: g.Logs[start:i:i], Topic: g.Topic, Source: g.Source, Tags: g.Tags})
			start, size = i, 0
		}
		size += n
	}
	return append(out, &Group{Logs: g.Logs[start:], Topic: g.Topic, Source: g.Source, Tags: g.Tags})
}
