package dysms

// takeFault consumes the oldest armed fault of one of kinds for action.
func (s *Server) takeFault(action string, kinds []FaultKind) *Fault {
	if f, ok := s.faults.Take(action, kinds...); ok {
		return &f
	}
	return nil
}

// takeMagic answers the fault of one of kinds that a reserved number in
// phones triggers, or "".
func (s *Server) takeMagic(phones []string, kinds ...FaultKind) FaultKind {
	k, _ := s.reserved.Take(phones, kinds...)
	return k
}

// injectedFailure answers a fault that replaces the action (gateway errors,
// throttling, isp.SYSTEM_ERROR, forced flow control), or nil.
func (s *Server) injectedFailure(c *call, phones []string) *answer {
	var kind FaultKind
	a := &answer{phones: phones}
	if f := s.takeFault(c.action, kindsAfterAuth); f != nil {
		kind, a.latency = f.Kind, f.Latency
	} else if c.action != actionQueryDetails {
		kind = s.takeMagic(phones, kindsAfterAuth...)
	}
	switch kind {
	case "":
		return nil
	case FaultHTTP500:
		a.gw = errInternal
	case FaultHTTP503:
		a.gw = errUnavailable
	case FaultThrottlingAPI:
		a.gw = errThrottlingAPI
	case FaultThrottlingUser:
		a.gw = errThrottlingUser
	case FaultSystemError:
		a.refusal = refuse(codeSystemError)
	case FaultBusinessLimit:
		a.refusal = &refusal{Code: codeBusinessLimit, Message: ruleVerifyMinute.message}
	}
	return a
}

// afterAccept arms what happens once a request was accepted: added latency
// and a reset instead of the answer (the message stays sent either way).
func (s *Server) afterAccept(c *call, a *answer, phones []string) {
	if f := s.takeFault(c.action, []FaultKind{FaultLatency}); f != nil {
		a.latency += f.Latency
	}
	if f := s.takeFault(c.action, []FaultKind{FaultResetAfterAccept}); f != nil {
		a.latency += f.Latency
		a.reset = true
	}
	if f := s.takeFault(c.action, []FaultKind{FaultGatewayTimeoutAfterAccept}); f != nil && a.ok() {
		// The body stays: the message was accepted; the gateway's 504 is
		// what the client reads.
		a.latency += f.Latency
		a.gw = errGatewayTimeout
	}
	if c.action == actionQueryDetails {
		return
	}
	for _, k := range []FaultKind{FaultLatency, FaultResetAfterAccept} {
		switch s.takeMagic(phones, k) {
		case FaultLatency:
			a.latency += s.opts.MagicLatency
		case FaultResetAfterAccept:
			a.reset = true
		}
	}
}
