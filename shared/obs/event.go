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

// eventFrom flattens a record. Diagnostic lines keep their text in
// `message` under event=log, so `event` only ever holds schema names.
func eventFrom(ctx context.Context, r slog.Record, pre []Field) Event {
	fields := make([]Field, 0, r.NumAttrs()+len(pre)+14)
	fields = append(fields, Field{KeyTime, r.Time.UTC().Format(time.RFC3339Nano)}, Field{KeyLevel, r.Level.String()})
	if isEventName(r.Message) {
		fields = append(fields, Field{KeyEvent, r.Message})
	} else {
		fields = append(fields, Field{KeyEvent, "log"}, Field{"message", r.Message})
	}
	fields = contextFields(ctx, fields)
	fields = append(fields, pre...)
	r.Attrs(func(a slog.Attr) bool {
		fields = appendAttr(fields, "", a)
		return true
	})
	return Event{Time: r.Time, Fields: fields}
}

func appendAttr(fields []Field, prefix string, a slog.Attr) []Field {
	v := a.Value.Resolve()
	key := a.Key
	if prefix != "" {
		key = prefix + "." + key
	}
	switch v.Kind() {
	case slog.KindGroup:
		for _, g := range v.Group() {
			fields = appendAttr(fields, key, g)
		}
		return fields
	case slog.KindString:
		if v.String() == "" {
			return fields // empty fields are noise in SLS and cost bytes
		}
		return append(fields, Field{key, v.String()})
	case slog.KindInt64:
		return append(fields, Field{key, strconv.FormatInt(v.Int64(), 10)})
	case slog.KindUint64:
		return append(fields, Field{key, strconv.FormatUint(v.Uint64(), 10)})
	case slog.KindBool:
		return append(fields, Field{key, strconv.FormatBool(v.Bool())})
	case slog.KindFloat64:
		return append(fields, Field{key, strconv.FormatFloat(v.Float64(), 'g', -1, 64)})
	case slog.KindDuration:
		return append(fields, Field{key, strconv.FormatInt(v.Duration().Milliseconds(), 10)})
	case slog.KindTime:
		return append(fields, Field{key, v.Time().UTC().Format(time.RFC3339Nano)})
	default:
		if err, ok := v.Any().(error); ok {
			return append(fields, Field{key, err.Error()})
		}
		b, err := json.Marshal(v.Any())
		if err != nil {
			return append(fields, Field{key, "!marshal: " + err.Error()})
		}
		return append(fields, Field{key, string(b)})
	}
}

// MarshalJSON writes the event as one flat JSON object (the stdout form).
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64*len(e.Fields))
	b = append(b, '{')
	for i, f := range e.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(f.Key)
		b = append(b, kb...)
		b = append(b, ':')
		vb, _ := json.Marshal(f.Value)
		b = append(b, vb...)
	}
	return append(b, '}'), nil
}
