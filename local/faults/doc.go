// Package faults is the fault injection every cloud emulator of the local
// stack shares: armed faults (one-shot, counted or until cleared, limited to
// an API action, with added latency), reserved phone numbers that trigger a
// fault, the JSON admin form of a fault, and the two network misbehaviours
// (a TCP reset, a slow answer). Each emulator names its own kinds and
// actions and decides what a kind means in its cloud's shapes; only the
// bookkeeping lives here.
package faults
