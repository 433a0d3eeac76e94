package receipts

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"smsflow/shared/obs"
	"smsflow/shared/trace"
)

// cloudEvent is the part of an EventBridge CloudEvent (MNS queue source)
// that matters: the queue message.
type cloudEvent struct {
	ID   string `json:"id"`
	Data struct {
		MessageID   string `json:"messageId"`
		MessageBody string `json:"messageBody"`
	} `json:"data"`
}

// HandleEvents records the receipts of one EventBridge delivery from the
// MNS report queue: a JSON array of CloudEvents, one receipt per message.
// A message that is not a receipt is logged as sms.receipt_rejected and
// skipped: redelivering it cannot fix it, and failing the batch for it
// would block the good ones until EventBridge gave up. The error is
// non-nil only when the receipts may not be stored: EventBridge then
// delivers the whole batch again, and the repeats share their receipt_id.
func (h *Handler) HandleEvents(ctx context.Context, payload []byte) (int, error) {
	ctx = trace.NewContext(ctx, trace.NewRoot())
	var events []cloudEvent
	if err := json.Unmarshal(payload, &events); err != nil {
		h.rejectMessage(ctx, "", "the EventBridge payload is not a JSON array of CloudEvents: "+jsonReason(err), "")
		return 0, nil
	}
	reports := make([]Report, 0, len(events))
	for _, ev := range events {
		r, err := ParseMessage(ev.Data.MessageBody)
		if err != nil {
			field := ""
			var pe *ParseError
			if errors.As(err, &pe) {
				field, pe.Index = pe.Field, -1 // one message, not a position in a push
			}
			h.rejectMessage(ctx, ev.Data.MessageID, err.Error(), field)
			continue
		}
		r.MNSMessageID = ev.Data.MessageID
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		return 0, nil
	}
	return h.rec.Record(ctx, SourceMNS, reports)
}

func (h *Handler) rejectMessage(ctx context.Context, messageID, reason, field string) {
	h.log.LogAttrs(ctx, slog.LevelWarn, obs.EventReceiptRejected,
		slog.String(obs.KeyReceiptSource, SourceMNS),
		slog.String(obs.KeyMessageID, messageID),
		slog.String(obs.KeyField, field),
		slog.String(obs.KeyErrorMessage, reason),
	)
}
