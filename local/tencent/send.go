package tencent

import (
	"time"
)

// Default per-number frequency limits of an SmsSdkAppId (Tencent's console
// defaults for one number: 1 in 30 s, 5 in an hour, 10 in a day).
var frequencyLimits = []struct {
	window time.Duration
	max    int
	code   apiError
}{
	{30 * time.Second, 1, numberThirtySec},
	{time.Hour, 5, numberOneHour},
	{24 * time.Hour, 10, numberDailyLimit},
}

// sendSms validates a SendSms request and answers each number's outcome,
// recording the accepted ones; or a whole-request error, with nothing sent.
func (s *Server) sendSms(req sendSmsRequest, secretID, requestID string) ([]SendStatus, *apiError) {
	switch {
	case len(req.PhoneNumberSet) == 0:
		return nil, &errEmptyPhones
	case len(req.PhoneNumberSet) > maxPhones:
		return nil, &errPhoneCount
	case req.SmsSdkAppID == "":
		e := errMissing("SmsSdkAppId")
		return nil, &e
	case req.SmsSdkAppID != LocalSdkAppID:
		return nil, &errAppID
	case req.TemplateID == "":
		e := errMissing("TemplateId")
		return nil, &e
	case len(req.SessionContext) > maxSessionCtx:
		return nil, &errSessionContext
	}
	domestic, international := false, false
	for _, raw := range req.PhoneNumberSet {
		if p, ok := normalisePhone(raw); ok {
			domestic = domestic || isMainland(p)
			international = international || !isMainland(p)
		}
	}
	if domestic && international {
		return nil, &errMixedPhones
	}
	tpl, ok := s.template(req.TemplateID)
	if !ok {
		return nil, &errTemplate
	}
	if domestic && req.SignName != LocalSign {
		return nil, &errSign
	}
	if len(req.TemplateParamSet) != tpl.Params {
		return nil, &errParamCount
	}
	perNumber := s.takePerNumberFault()
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SendStatus, len(req.PhoneNumberSet))
	var accepted []Message
	for i, raw := range req.PhoneNumberSet {
		st := SendStatus{PhoneNumber: raw, SessionContext: req.SessionContext, IsoCode: "CN"}
		p, ok := normalisePhone(raw)
		outcome := numberOK
		switch {
		case !ok:
			outcome = numberIncorrect
		case perNumber != nil:
			outcome = *perNumber
		case reservedNumbers[p].number.Code != "":
			outcome = reservedNumbers[p].number
		default:
			outcome = s.frequencyLocked(p, now)
		}
		if ok {
			st.PhoneNumber = p
			if !isMainland(p) {
				st.IsoCode = ""
			}
		}
		st.Code, st.Message = outcome.Code, outcome.Message
		if outcome == numberOK {
			st.SerialNo, st.Fee = newSerialNo(), 1
			s.sent[p] = append(s.sent[p], now)
			accepted = append(accepted, Message{SerialNo: st.SerialNo, RequestID: requestID, SecretID: secretID,
				PhoneNumber: p, SmsSdkAppID: req.SmsSdkAppID, SignName: req.SignName, TemplateID: req.TemplateID,
				TemplateParamSet: req.TemplateParamSet, Content: render(req.SignName, tpl, req.TemplateParamSet),
				SessionContext: req.SessionContext, AcceptedAt: now})
		}
		out[i] = st
	}
	s.messages = append(s.messages, accepted...)
	for _, m := range accepted {
		s.planReceiptLocked(m)
	}
	return out, nil
}

func (s *Server) takePerNumberFault() *apiError {
	if _, ok := s.faults.Take(actionSendSms, kindsPerNumber...); ok {
		return &numberBlacklist
	}
	return nil
}

// frequencyLocked answers the first frequency limit a send to p now breaks.
func (s *Server) frequencyLocked(p string, now time.Time) apiError {
	for _, l := range frequencyLimits {
		n := 0
		for _, t := range s.sent[p] {
			if now.Sub(t) < l.window {
				n++
			}
		}
		if n >= l.max {
			return l.code
		}
	}
	return numberOK
}
