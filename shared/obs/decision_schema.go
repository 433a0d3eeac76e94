package obs

// KeyDecision says, on sms.result, whether the request came to a send
// decision: the rules that measure sending (failure rate, throttle rate,
// no traffic) and the dashboard's sending charts count DecisionSend rows
// only, so a flood of refused junk or the replays of one stored answer
// neither fire nor hide an alert (docs/alerts.md).
const KeyDecision = "decision"

// Decisions.
const (
	// DecisionSend: the request was admitted and its outcome is Alibaba's
	// or ours (accepted, refused by Alibaba, failed, unknown, throttled,
	// or not sent because our side failed: deadline, credentials, store).
	DecisionSend = "send"
	// DecisionRefused: refused before any send: invalid, unauthenticated,
	// unroutable, an idempotency conflict, a per-number send limit, an
	// unreadable queue message.
	DecisionRefused = "refused"
	// DecisionReplayed: the stored answer of an earlier request.
	DecisionReplayed = "replayed"
)
