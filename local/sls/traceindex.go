package sls

import (
	slssdk "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/slstrace"
)

// traceIndex is the index of a `{instance}-traces` logstore, the one SLS
// Trace creates with the instance: every field searchable and analysable, the
// times and the duration as numbers so waterfalls and latency charts can
// be queried with SQL.
func traceIndex() slssdk.Index {
	tokens := []string{",", " ", "'", "\"", ";", "=", "(", ")", "[", "]", "{", "}", "?", "@", "&", "<", ">", "/", ":", "\n", "\t", "\r"}
	keys := map[string]slssdk.IndexKey{}
	for _, k := range []string{slstrace.FieldTraceID, slstrace.FieldSpanID, slstrace.FieldParentSpanID, slstrace.FieldTraceState, slstrace.FieldName, slstrace.FieldKind,
		slstrace.FieldService, slstrace.FieldHost, slstrace.FieldResource, slstrace.FieldAttribute, slstrace.FieldStatusCode, slstrace.FieldStatusMessage, slstrace.FieldLogs, slstrace.FieldLinks} {
		keys[k] = slssdk.IndexKey{Type: "text", DocValue: true, Token: tokens}
	}
	for _, k := range []string{slstrace.FieldStart, slstrace.FieldEnd, slstrace.FieldDuration} {
		keys[k] = slssdk.IndexKey{Type: "long", DocValue: true}
	}
	return slssdk.Index{Keys: keys, Line: &slssdk.IndexLine{Token: tokens}}
}
