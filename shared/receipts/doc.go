// Package receipts turns Alibaba's delivery receipts (SmsReport) into
// sms.receipt events that join the trace of the send that caused them.
//
// Receipts arrive two ways, with the same fields: pushed by HTTP (a JSON
// array per push; Handler) or read from the MNS report queue through an
// EventBridge trigger (one JSON object per message; Handler.HandleEvents).
// The receipt's out_id carries the send's trace (shared/sms WireOutID), so
// joining needs no store and no ordering: a receipt recorded before the
// send's own events is found by the same `trace_id: X` query.
//
// Nothing here is stateful: a receipt Alibaba pushes twice is recorded
// twice with the same receipt_id, and queries count distinct receipt_id.
// See docs/receipts.md.
package receipts
