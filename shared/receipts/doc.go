// Package receipts turns Alibaba's delivery receipts (SmsReport) into
// sms.receipt events that join the trace of the send that caused them.
//
// Receipts arrive by Alibaba's HTTP batch push (a JSON array per push;
// Handler), which must be answered within Alibaba's 700 ms (Budget). The
// MNS report queue is not read: it lives in Alibaba's account and needs a
// pulling consumer with a dybaseapi token (docs/receipts.md).
// The receipt's out_id carries the send's trace (shared/sms WireOutID), so
// joining needs no store and no ordering: a receipt recorded before the
// send's own events is found by the same `trace_id: X` query.
//
// A receipt Alibaba pushes again is recorded once when a Seen store
// (Redis) is configured; queries count distinct receipt_id regardless.
// See docs/receipts.md.
package receipts
