package dysms

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// sendBatchSms is SendBatchSms: one template, per-number signatures and
// parameters as JSON arrays in the form body, up to 100 numbers.
func (s *Server) sendBatchSms(c *call) *answer {
	p := c.params
	for _, name := range []string{"PhoneNumberJson", "SignNameJson", "TemplateCode"} {
		if p.Get(name) == "" {
			return &answer{gw: errMissing(name)}
		}
	}
	var raw, signs []string
	if decodeJSONArray(p.Get("PhoneNumberJson"), &raw) != nil || decodeJSONArray(p.Get("SignNameJson"), &signs) != nil {
		return &answer{refusal: refuse(codeInvalidParameters)}
	}
	if len(raw) > maxPhonesPerBatch {
		return &answer{refusal: refuse(codeMobileCountOver)}
	}
	if len(signs) != len(raw) {
		return &answer{refusal: refuse(codeInvalidParameters)}
	}
	var paramJSON []json.RawMessage
	if v := p.Get("TemplateParamJson"); v != "" {
		if decodeJSONArray(v, &paramJSON) != nil || len(paramJSON) != len(raw) {
			return &answer{refusal: refuse(codeInvalidParameters)}
		}
	}
	var extend []string
	_ = decodeJSONArray(p.Get("SmsUpExtendCodeJson"), &extend)
	phones, ref := normaliseAll(raw)
	if ref != nil {
		return &answer{refusal: ref}
	}
	if utf8.RuneCountInString(p.Get("OutId")) > maxOutIDLen {
		return &answer{refusal: refuse(codeInvalidParameters)}
	}
	bizID := newBizID(c.now)
	var tpl Template
	msgs := make([]Message, len(phones))
	for i, phone := range phones {
		var t Template
		t, ref = s.checkSignAndTemplate(signs[i], p.Get("TemplateCode"))
		if ref != nil {
			return &answer{refusal: ref}
		}
		tpl = t
		var rawParams string
		if paramJSON != nil {
			rawParams = string(paramJSON[i])
		}
		params, ref := checkTemplateParams(tpl, rawParams)
		if ref != nil {
			return &answer{refusal: ref}
		}
		msgs[i] = Message{
			BizID: bizID, RequestID: c.requestID, Action: c.action, AccessKeyID: c.accessKeyID,
			Phone: phone, SignName: signs[i], TemplateCode: tpl.Code, Params: params,
			Content: tpl.render(signs[i], params), OutID: p.Get("OutId"), AcceptedAt: c.now,
		}
		if i < len(extend) {
			msgs[i].UpExtendCode = extend[i]
		}
	}
	return s.accept(c, tpl, msgs)
}

// decodeJSONArray reads a JSON array parameter; an empty string is an
// empty array.
func decodeJSONArray(s string, into any) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), into)
}
