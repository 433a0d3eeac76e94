// Package idem keeps SMS sending safe under client retries and at-least-once
// delivery: an idempotency store (one record a key: claimed while a send is
// in flight, then the stored answer for the retention window) and per-number
// send limits, in Redis (or Alibaba's Redis-compatible Tair) when one is
// configured, else in this process's memory.
//
// The rules, and why (docs/idempotency.md has the full story):
//
//   - A claim is one SET NX PX: exactly one sender gets it. The record holds
//     the payload's fingerprint (another payload under the same key is a
//     conflict, never a send), the owner's token and a lease.
//   - The owner ends a claim in one of two ways. Complete stores the answer
//     (accepted, refused for good, or unknown: anything that was or may have
//     been sent). Release deletes the claim when the message was provably
//     not sent, so a retry may send.
//   - A claim whose lease has run out without either (the owner crashed or
//     was frozen mid-send) is never released: nobody knows whether the SMS
//     left. The next caller turns it into a stored unknown outcome; it is
//     never re-sent automatically.
//   - Keys and fingerprints are keyed HMACs: the store holds no idempotency
//     key, phone number or template value in clear.
package idem
