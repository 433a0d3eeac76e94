package provision

import (
	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/obs"
)

// tokens split text fields for search; ',' lets one hash or mask be found in
// a multi-number list.
var tokens = []string{",", " ", "'", "\"", ";", "=", "(", ")", "[", "]", "{", "}", "?", "@", "&", "<", ">", "/", ":", "\n", "\t", "\r"}

// Index is the logstore index the events need (obs.Fields): every field indexed with
// analytics (doc_value), so alert rules and dashboards can run SQL on it.
func Index() sls.Index {
	keys := make(map[string]sls.IndexKey, len(obs.Fields))
	for _, f := range obs.Fields {
		k := sls.IndexKey{Type: f.Type, DocValue: true}
		if f.Type == "text" {
			k.Token = tokens
		}
		keys[f.Key] = k
	}
	return sls.Index{Keys: keys, Line: &sls.IndexLine{Token: tokens}}
}
