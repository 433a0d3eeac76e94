// Package dispatch is the event-triggered sender behind functions/dispatch:
// it reads an EventBridge delivery (an MNS queue source's CloudEvents, or a
// custom source's), sends each message the way POST /v1/messages does, and
// decides whether the invocation must fail so that EventBridge delivers
// again. Plain Go: the FC wiring is in fc.go and functions/dispatch.
package dispatch

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"smsflow/shared/text"
)

// cloudEvent is the part of an EventBridge CloudEvent dispatch reads.
// (The SDK's events.MnsTopicEvent fails on an integer PublishTime, and the
// queue source's shape differs anyway: decode what is needed, leniently.)
type cloudEvent struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Type   string `json:"type"`
	// Traceparent is the CloudEvents distributed-tracing extension.
	Traceparent string          `json:"traceparent"`
	Data        json.RawMessage `json:"data"`
}

// mnsData is data of an MNS queue source's event.
type mnsData struct {
	MessageID   string  `json:"messageId"`
	MessageBody *string `json:"messageBody"`
}

// message is one message taken out of a delivery.
type message struct {
	id, source, traceparent string
	body                    []byte
	// problem is why the event itself could not be read (poison).
	problem string
}

// errNotEvents: the payload is neither a CloudEvent nor an array of them.
var errNotEvents = errors.New("the payload is not a CloudEvent or a JSON array of CloudEvents")

// decodeDelivery splits an EventBridge payload into messages. An event it
// cannot read becomes a message with a problem, so the rest still go.
func decodeDelivery(payload []byte) ([]message, error) {
	t := bytes.TrimSpace(payload)
	var raws []json.RawMessage
	switch {
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &raws); err != nil {
			return nil, errNotEvents
		}
	case len(t) > 0 && t[0] == '{':
		raws = []json.RawMessage{t}
	default:
		return nil, errNotEvents
	}
	out := make([]message, len(raws))
	for i, raw := range raws {
		out[i] = decodeEvent(raw)
	}
	return out, nil
}

// maxEventIDLen bounds an event's id and source: MNS ids are 32 hex
// digits and EventBridge sources short names; nothing real comes near it.
const maxEventIDLen = 256

// decodeEvent reads one event. Its id and source are the publisher's text
// and reach SLS (message_id, caller), the RetryError FC logs and the trace
// command: text unfit to read, or too long, makes the event poison, and the
// poison event names neither (issue 10.5's class).
func decodeEvent(raw json.RawMessage) message {
	m := decodeEventFields(raw)
	for _, f := range []struct{ name, value string }{{"id", m.id}, {"source", strings.TrimPrefix(m.source, "eventbridge:")}} {
		problem := ""
		if len(f.value) > maxEventIDLen {
			problem = fmt.Sprintf("the event's %s is longer than %d bytes", f.name, maxEventIDLen)
		} else if r, pos, bad := text.FirstUnfit(f.value); bad {
			problem = fmt.Sprintf("the event's %s holds %s at character %d", f.name, text.Describe(r), pos+1)
		}
		if problem != "" {
			return message{source: "eventbridge:", problem: problem}
		}
	}
	return m
}

func decodeEventFields(raw json.RawMessage) message {
	var ev cloudEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return message{problem: "the event is not a CloudEvent object"}
	}
	m := message{id: ev.ID, source: "eventbridge:" + ev.Source, traceparent: ev.Traceparent}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 || string(data) == "null" {
		m.problem = "the event has no data"
		return m
	}
	if strings.HasPrefix(ev.Type, "mns:") {
		var d mnsData
		if err := json.Unmarshal(data, &d); err != nil || d.MessageBody == nil {
			m.problem = "the MNS event has no data.messageBody"
			return m
		}
		// The MNS message id is what a redelivery of the same message keeps.
		if d.MessageID != "" {
			m.id = d.MessageID
		}
		m.body = messageBody(*d.MessageBody)
		return m
	}
	// A custom source: the request is data itself, or a JSON string of it.
	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err == nil {
			data = []byte(s)
		}
	}
	m.body = data
	return m
}

// messageBody returns an MNS message body as JSON: as is, or base64-decoded
// when the producer encoded it (the MNS SDKs' default in some languages).
func messageBody(s string) []byte {
	t := strings.TrimSpace(s)
	if json.Valid([]byte(t)) || t == "" || t[0] == '{' || t[0] == '[' {
		return []byte(s)
	}
	if b, err := base64.StdEncoding.DecodeString(t); err == nil && json.Valid(b) {
		return b
	}
	return []byte(s)
}

// describe is a message for an error: never the body.
func (m message) describe() string {
	if m.id == "" {
		return "message without id"
	}
	return fmt.Sprintf("message %s", m.id)
}
