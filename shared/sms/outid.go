package sms

import (
	"context"
	"strings"
	"unicode/utf8"

	"smsflow/shared/trace"
)

// The OutId Alibaba echoes in every delivery receipt is the only thing a
// receipt carries that we chose, so the sender puts the trace there: a
// fixed-size link token, then the caller's own out_id when there is one.
//
//	sf1<32 hex trace id><16 hex span id>            no caller out_id
//	sf1<32 hex trace id><16 hex span id>.<caller>   with one
//
// The token comes first and has a fixed length, so parsing never depends on
// what the caller's part contains. Alibaba's limit is OutId < 256
// characters: a caller out_id too long to ride along (over
// MaxCallerOutIDOnWire) is left off the wire; the receipt still joins the
// trace, whose sms.request event holds the caller's out_id.
const (
	outIDVersion = "sf1"
	// OutIDTokenLen is the length of the link token.
	OutIDTokenLen = len(outIDVersion) + 32 + 16
	// maxWireOutID is Alibaba's limit: fewer than 256 characters.
	maxWireOutID = 255
	// MaxCallerOutIDOnWire is the longest caller out_id (in characters)
	// that still fits beside the token.
	MaxCallerOutIDOnWire = maxWireOutID - OutIDTokenLen - 1
)

// WireOutID answers the OutId to send: the link token of the trace in ctx,
// then the caller's out_id if it fits. Without a trace in ctx there is
// nothing to link and the caller's out_id goes through unchanged.
func WireOutID(ctx context.Context, callerOutID string) string {
	sc, ok := trace.FromContext(ctx)
	if !ok {
		return callerOutID
	}
	token := outIDVersion + sc.TraceIDString() + sc.SpanIDString()
	if callerOutID == "" || utf8.RuneCountInString(callerOutID) > MaxCallerOutIDOnWire {
		return token
	}
	return token + "." + callerOutID
}

// OutIDLink is what a receipt's out_id says about the send that caused it.
type OutIDLink struct {
	// Linked is true when the out_id carried our token.
	Linked bool
	// TraceID (32 hex) and SpanID (16 hex) are the send's.
	TraceID, SpanID string
	// CallerOutID is the caller's own out_id: the whole value when there
	// was no token (a send from elsewhere on the account), else what
	// followed the token.
	CallerOutID string
}

// ParseOutID reads a receipt's out_id.
func ParseOutID(wire string) OutIDLink {
	if len(wire) < OutIDTokenLen || !strings.HasPrefix(wire, outIDVersion) {
		return OutIDLink{CallerOutID: wire}
	}
	ids, rest := wire[len(outIDVersion):OutIDTokenLen], wire[OutIDTokenLen:]
	if !lowerHex(ids) || strings.Trim(ids[:32], "0") == "" || (rest != "" && rest[0] != '.') {
		return OutIDLink{CallerOutID: wire}
	}
	return OutIDLink{Linked: true, TraceID: ids[:32], SpanID: ids[32:], CallerOutID: strings.TrimPrefix(rest, ".")}
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
