// Package acs3 verifies Alibaba Cloud's ACS3-HMAC-SHA256 request signature
// (the V3 signature of the Alibaba Cloud SDKs) for every emulator that
// Alibaba protects with it: the Dysmsapi emulator, the FC HTTP trigger with
// authType: function, and any later control-API emulator. One verifier, so
// the emulators cannot drift apart; each maps a Failure onto its own
// service's error codes and statuses.
//
// It also holds what ACS3 shares with Alibaba's older RPC signature
// (percent-encoding, the canonical query, timestamps and nonces), so the
// Dysmsapi emulator's RPC path uses the same rules.
package acs3
