// Package tencent is the local stack's Tencent Cloud SMS (API 3.0, version
// 2021-01-11) emulator.
//
// The unmodified tencentcloud-sdk-go talks to it as it would to
// sms.tencentcloudapi.com (profile.HttpProfile{Endpoint: "127.0.0.1:PORT",
// Scheme: "http"}): it verifies TC3-HMAC-SHA256 signatures, the request
// timestamp and the SecretId, and answers SendSms in Tencent's shapes: a
// whole-request failure as {"Response":{"Error":{...},"RequestId"}} and
// per-number outcomes in SendStatusSet (a 200 answer can hold unsent
// numbers). Accepted messages get delivery receipts pushed to a callback
// URL as Tencent does (a JSON array, acknowledged by {"result":0}).
//
// Tests steer it like the Dysmsapi emulator, through package local/faults:
// faults armed by Go methods or the admin API under /_emulator/, and
// reserved phone numbers (reserved.go, docs/local-tencent.md).
//
// Nothing here logs a full phone number or a template parameter value.
package tencent
