package obs

// Idempotency and event-triggered sending (shared/idem, shared/dispatch,
// docs/idempotency.md).
const (
	KeyIdempotencyKey = "idempotency_key" // keyed hash of the caller's key, never the key itself
	KeyReplayed       = "replayed"        // "true" when the answer came from the store
	KeyMessageID      = "message_id"      // the delivered message's id (MNS message id or CloudEvent id)
	KeyDisposition    = "disposition"     // dispatch: sent, replayed, refused, retry, poison
)
