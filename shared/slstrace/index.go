package slstrace

import sls "github.com/aliyun/aliyun-log-go-sdk"

// Index is the index of a `{instance}-traces` logstore, the one SLS Trace
// creates with the instance: every field searchable and analysable, the
// times and the duration as numbers so waterfalls and latency charts can
// be queried with SQL.
func Index() sls.Index {
	tokens := []string{",", " ", "'", "\"", ";", "=", "(", ")", "[", "]", "{", "}", "?", "@", "&", "<", ">", "/", ":", "\n", "\t", "\r"}
	keys := map[string]sls.IndexKey{}
	for _, k := range []string{FieldTraceID, FieldSpanID, FieldParentSpanID, FieldTraceState, FieldName, FieldKind,
		FieldService, FieldHost, FieldResource, FieldAttribute, FieldStatusCode, FieldStatusMessage, FieldLogs, FieldLinks} {
		keys[k] = sls.IndexKey{Type: "text", DocValue: true, Token: tokens}
	}
	for _, k := range []string{FieldStart, FieldEnd, FieldDuration} {
		keys[k] = sls.IndexKey{Type: "long", DocValue: true}
	}
	return sls.Index{Keys: keys, Line: &sls.IndexLine{Token: tokens}}
}
