package obs

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Event is one structured event, flattened the way SLS stores it: string
// keys to string values, in the order they were logged.
type Event struct {
	Time   time.Time
	Fields []Field
}

// Field is one key and its value.
type Field struct{ Key, Value string }

// Get returns the value of key, or "".
func (e Event) Get(key string) string {
	for _, f := range e.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return ""
}

// isEventName tells events (sms.*, alert.*) from diagnostic lines.
func isEventName(msg string) bool {
	return strings.HasPrefix(msg, "sms.") || strings.HasPrefix(msg, "alert.")
}

// entry is what is logged: a slog.Record, or the same parts handed over by
// LogAttrs without one.
type entry struct {
	time  time.Time
	level slog.Level
	msg   string
	rec   *slog.Record // nil: attrs
	attrs []slog.Attr
}

func (e *entry) numAttrs() int {
	if e.rec != nil {
		return e.rec.NumAttrs()
	}
	return len(e.attrs)
}

// eventFrom flattens an entry into a. Diagnostic lines keep their text in
// `message` under event=log, so `event` only ever holds schema names.
func eventFrom(ctx context.Context, a *arena, e *entry, pre []Field) Event {
	start := a.begin(e.numAttrs() + len(pre) + 16)
	t := len(a.text)
	a.text = e.time.UTC().AppendFormat(a.text, time.RFC3339Nano)
	a.add(KeyTime, a.textSince(t))
	a.add(KeyLevel, e.level.String())
	if isEventName(e.msg) {
		a.add(KeyEvent, e.msg)
	} else {
		a.add(KeyEvent, "log")
		a.add("message", e.msg)
	}
	contextFields(ctx, a)
	a.fields = append(a.fields, pre...)
	if e.rec != nil {
		e.rec.Attrs(func(at slog.Attr) bool {
			appendAttr(a, "", at)
			return true
		})
	} else {
		for _, at := range e.attrs {
			appendAttr(a, "", at)
		}
	}
	return Event{Time: e.time, Fields: a.end(start)}
}

// appendAttr flattens at into a's fields, formatting into a's text.
func appendAttr(a *arena, prefix string, at slog.Attr) {
	v := at.Value.Resolve()
	key := at.Key
	if prefix != "" {
		key = prefix + "." + key
	}
	t := len(a.text)
	switch v.Kind() {
	case slog.KindGroup:
		for _, g := range v.Group() {
			appendAttr(a, key, g)
		}
		return
	case slog.KindString:
		if v.String() == "" {
			return // empty fields are noise in SLS and cost bytes
		}
		a.add(key, v.String())
		return
	case slog.KindBool:
		a.add(key, strconv.FormatBool(v.Bool()))
		return
	case slog.KindInt64:
		a.text = strconv.AppendInt(a.text, v.Int64(), 10)
	case slog.KindUint64:
		a.text = strconv.AppendUint(a.text, v.Uint64(), 10)
	case slog.KindFloat64:
		a.text = strconv.AppendFloat(a.text, v.Float64(), 'g', -1, 64)
	case slog.KindDuration:
		a.text = strconv.AppendInt(a.text, v.Duration().Milliseconds(), 10)
	case slog.KindTime:
		a.text = v.Time().UTC().AppendFormat(a.text, time.RFC3339Nano)
	default:
		if err, ok := v.Any().(error); ok {
			a.add(key, err.Error())
			return
		}
		b, err := json.Marshal(v.Any())
		if err != nil {
			a.add(key, "!marshal: "+err.Error())
			return
		}
		a.add(key, string(b))
		return
	}
	a.add(key, a.textSince(t))
}

// MarshalJSON writes the event as one flat JSON object (the stdout form).
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64*len(e.Fields))
	b = append(b, '{')
	for i, f := range e.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Key)
		b = append(b, ':')
		b = appendJSONString(b, f.Value)
	}
	return append(b, '}'), nil
}
