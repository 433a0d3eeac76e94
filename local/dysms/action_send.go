package dysms

import "unicode/utf8"

const (
	maxPhonesPerSend  = 1000
	maxPhonesPerBatch = 100
	maxOutIDLen       = 255 // Alibaba: OutId shorter than 256 characters
)

// sendSms is SendSms: one template, one signature, up to 1000
// comma-separated numbers, one BizId for all of them.
func (s *Server) sendSms(c *call) *answer {
	p := c.params
	for _, name := range []string{"PhoneNumbers", "SignName", "TemplateCode"} {
		if p.Get(name) == "" {
			return &answer{gw: errMissing(name)}
		}
	}
	raw := splitPhones(p.Get("PhoneNumbers"))
	if len(raw) > maxPhonesPerSend {
		return &answer{refusal: refuse(codeMobileCountOver)}
	}
	phones, ref := normaliseAll(raw)
	if ref != nil {
		return &answer{refusal: ref}
	}
	sign := p.Get("SignName")
	tpl, ref := s.checkSignAndTemplate(sign, p.Get("TemplateCode"))
	if ref != nil {
		return &answer{refusal: ref}
	}
	params, ref := checkTemplateParams(tpl, p.Get("TemplateParam"))
	if ref != nil {
		return &answer{refusal: ref}
	}
	if utf8.RuneCountInString(p.Get("OutId")) > maxOutIDLen {
		return &answer{refusal: refuse(codeInvalidParameters)}
	}
	bizID := newBizID(c.now)
	msgs := make([]Message, len(phones))
	for i, phone := range phones {
		msgs[i] = Message{
			BizID: bizID, RequestID: c.requestID, Action: c.action, AccessKeyID: c.accessKeyID,
			Phone: phone, SignName: sign, TemplateCode: tpl.Code, Params: params,
			Content: tpl.render(sign, params), OutID: p.Get("OutId"),
			UpExtendCode: p.Get("SmsUpExtendCode"), AcceptedAt: c.now,
		}
	}
	return s.accept(c, tpl, msgs)
}

func normaliseAll(raw []string) ([]string, *refusal) {
	if len(raw) == 0 {
		return nil, refuse(codeMobileIllegal)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		p, ok := normalisePhone(r)
		if !ok {
			return nil, refuse(codeMobileIllegal)
		}
		out[i] = p
	}
	return out, nil
}

func (s *Server) checkSignAndTemplate(sign, code string) (Template, *refusal) {
	if !s.registry.signature(sign) {
		return Template{}, refuse(codeSignatureIllegal)
	}
	tpl, ok := s.registry.template(code)
	if !ok {
		return Template{}, refuse(codeTemplateIllegal)
	}
	return tpl, nil
}

// accept records the messages (acceptLocked), then reports at once the
// receipts that beat the SendSms answer (reserved number 13800000018) and
// schedules the others.
func (s *Server) accept(c *call, tpl Template, msgs []Message) *answer {
	a, deliveries := s.acceptLocked(c, tpl, msgs)
	for _, d := range deliveries {
		if d.quirk == quirkBeforeAnswer {
			s.report(d, true)
		} else {
			s.schedule(d)
		}
	}
	return a
}

// acceptLocked applies flow control and records the messages in one step
// under the lock, so two concurrent sends cannot both squeeze under a
// limit. A request is accepted whole or refused whole.
func (s *Server) acceptLocked(c *call, tpl Template, msgs []Message) (*answer, []*delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Record as we check, so a number listed twice counts twice; undo
	// everything if any number is refused.
	for i, m := range msgs {
		if ref := s.flow.check(tpl.Kind, m.SignName, tpl.Code, m.Phone, c.now); ref != nil {
			for _, done := range msgs[:i] {
				s.flow.unrecord(tpl.Kind, done.SignName, tpl.Code, done.Phone)
			}
			return &answer{refusal: ref}, nil
		}
		s.flow.record(tpl.Kind, m.SignName, tpl.Code, m.Phone, c.now)
	}
	var deliveries []*delivery
	for _, m := range msgs {
		m.settle()
		// Held messages are planned once receipts are configured.
		if !s.holdLocked(&m) {
			if d := s.planReceiptLocked(&m); d != nil {
				deliveries = append(deliveries, d)
			}
		}
		s.messages = append(s.messages, m.clone())
	}
	s.stats.Accepted += len(msgs)
	return &answer{body: map[string]any{
		"RequestId": c.requestID,
		"Code":      codeOK,
		"Message":   businessMessages[codeOK],
		"BizId":     msgs[0].BizID,
	}}, deliveries
}
