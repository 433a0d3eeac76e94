package dysms

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// requestParams merges the query with a form body: the v3 SDK sends
// SendBatchSms' JSON arrays in the body, RPC clients may send everything
// there.
func requestParams(r *http.Request, body []byte) url.Values {
	params := r.URL.Query()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" || len(body) == 0 {
		return params
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return params
	}
	for k, vs := range form {
		params[k] = append(params[k], vs...)
	}
	return params
}

// phonesOf lists the numbers a request is about, for reserved numbers and
// log lines; it never fails (validation happens in the action).
func phonesOf(action string, p url.Values) []string {
	switch action {
	case actionSendSms:
		return splitPhones(p.Get("PhoneNumbers"))
	case actionSendBatchSms:
		var list []string
		_ = decodeJSONArray(p.Get("PhoneNumberJson"), &list)
		return list
	case actionQueryDetails:
		if n := p.Get("PhoneNumber"); n != "" {
			return []string{n}
		}
	}
	return nil
}

func splitPhones(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
