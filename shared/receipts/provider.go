package receipts

import (
	"context"
	"net/http"
	"strings"
)

// Provider is one SMS provider's receipt push: where it lands, how its body
// reads, and how the provider wants to be answered. The rest of a push
// (token, size limit, answer budget, duplicate filter, storing) is shared,
// so a second provider (Tencent's callback) is one more Provider value.
type Provider struct {
	// Name appears in errors and logs ("Alibaba").
	Name string
	// Source is the receipt_source its receipts are logged with.
	Source string
	// PathPrefix is where its pushes land: PathPrefix + <token>. The
	// longest matching prefix wins, so "/v1/receipts/" (Alibaba) and, say,
	// "/v1/receipts/tencent/" can live side by side.
	PathPrefix string
	// Parse reads a push body into receipts, all or nothing; an error that
	// is a *ParseError names the field, never the value.
	Parse func(body []byte) ([]Report, error)
	// Answer writes the provider's answer: status 200 means "stored, stop
	// pushing", anything else asks for the push again; msg says why.
	Answer func(w http.ResponseWriter, status int, msg string)
	// TokenSHA256, when set, are the hashes of this provider's own push
	// token; otherwise the shared SMSFLOW_RECEIPTS_TOKEN_SHA256 applies.
	TokenSHA256 []string
	// Enrich, when set, completes parsed receipts within the answer budget
	// (Tencent's: the trace link kept under the SerialNo).
	Enrich func(ctx context.Context, reports []Report) []Report
}

// Alibaba is Dysmsapi's SmsReport HTTP batch push (docs/receipts.md).
var Alibaba = Provider{Name: "Alibaba", Source: SourceHTTP, PathPrefix: PushPathPrefix, Parse: ParsePush, Answer: alibabaAnswer}

// alibabaAnswer is the body Alibaba reads. Alibaba checks only that the
// status is 200 and code a number (doc 101508; conformance RC-04): code 0
// on success, the HTTP status otherwise, which a non-200 makes moot.
func alibabaAnswer(w http.ResponseWriter, status int, msg string) {
	code := status
	if status == http.StatusOK {
		code, msg = 0, "成功"
	}
	writeAnswer(w, status, answer{code, msg})
}

// knownPrefixes are the push paths of every provider smsflow knows,
// configured or not. A push to a provider that is not configured answers
// 404 (docs/receipts.md) rather than reach the provider of a shorter
// prefix: "/v1/receipts/tencent/<token>" would otherwise be an Alibaba
// push whose token is "tencent/<token>", refused 401 with a warning that
// sends the operator to the Alibaba console.
var knownPrefixes = []string{PushPathPrefix, TencentPathPrefix}

// providerFor answers the provider whose PathPrefix is the longest prefix
// of path, unless a known provider's longer prefix matches it too.
func (h *Handler) providerFor(path string) (Provider, bool) {
	var best Provider
	found := false
	for _, p := range h.providers {
		if strings.HasPrefix(path, p.PathPrefix) && (!found || len(p.PathPrefix) > len(best.PathPrefix)) {
			best, found = p, true
		}
	}
	for _, prefix := range knownPrefixes {
		if found && len(prefix) > len(best.PathPrefix) && strings.HasPrefix(path, prefix) {
			return Provider{}, false
		}
	}
	return best, found
}
