// Package fcrt emulates the parts of Alibaba Function Compute 3.0 that a
// function built for the go1 runtime (github.com/aliyun/fc-runtime-go-sdk)
// touches, so the unmodified SDK runs here exactly as it runs on FC:
//
//   - the runtime API (GET .../invocation/next as a long poll, POST
//     .../{requestId}/response and .../{requestId}/error) with every header
//     the SDK reads, served to a child process started with FC_RUNTIME_API;
//   - instances: one invocation at a time each (go1 is a standard runtime),
//     scale-out up to an instance limit, idle reclaim, deadlines, the
//     initializer and preStop hooks, freezing idle instances (SIGSTOP) and
//     killing frozen ones;
//   - triggers: the FC 3.0 HTTP trigger (a real HTTP server turning requests
//     into events.HTTPTriggerEvent; with authType function it verifies the
//     caller's ACS3-HMAC-SHA256 signature through local/acs3 first), the
//     timer trigger and an EventBridge (MNS queue source) delivery with its
//     retry policy.
//
// Decisions where FC's behaviour is not documented precisely are written
// down in docs/local-fc.md. The emulator never logs payloads: SMS requests
// carry phone numbers and codes.
package fcrt
