// Package dysms is the local stack's Dysmsapi (2017-05-25) emulator.
//
// The unmodified dysmsapi v3 SDK, older RPC-signing SDKs and the aliyun CLI
// talk to it as they would to dysmsapi.aliyuncs.com: it verifies
// ACS3-HMAC-SHA256 and RPC HMAC-SHA1 signatures against the local STS
// (package local/sts), refuses stale timestamps and replayed nonces, and
// answers SendSms, SendBatchSms and QuerySendDetails in Alibaba's shapes,
// with Alibaba's error codes, HTTP statuses and per-number flow control.
//
// Tests steer it through fault injection (Go methods or the JSON admin API
// under /_emulator/) and through reserved "magic" phone numbers; see
// docs/local-dysms.md. The launcher owns the listener: Server is only an
// http.Handler.
//
// Nothing here logs a full phone number or a template parameter value:
// verification codes are secrets even on a laptop.
package dysms
