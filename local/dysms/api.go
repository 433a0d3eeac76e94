package dysms

import (
	"io"
	"net/http"

	"smsflow/local/faults"
)

const (
	apiVersion         = "2017-05-25"
	actionSendSms      = "SendSms"
	actionSendBatchSms = "SendBatchSms"
	actionQueryDetails = "QuerySendDetails"
	maxBodyBytes       = 1 << 20
)

func knownAction(a string) bool {
	return a == actionSendSms || a == actionSendBatchSms || a == actionQueryDetails
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	wall := s.opts.Now()
	c := &call{requestID: newRequestID(), wallNow: wall, now: wall.Add(s.clockOffset())}
	a := s.handle(w, r, c)
	if a == nil { // the connection is already gone
		return
	}
	s.finish(w, r, c, a)
}

// handle runs the gateway checks, faults and the action. It answers nil
// when it has already reset the connection before reading the request.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, c *call) *answer {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return &answer{gw: errMethod}
	}
	if r.URL.Path != "/" {
		return &answer{gw: errActionNotFound}
	}
	c.action = r.Header.Get("x-acs-action")
	if c.action == "" {
		c.action = r.URL.Query().Get("Action")
	}
	if c.action != "" && s.takeFault(c.action, kindsBeforeRead) != nil {
		s.count(c.action)
		s.resetBeforeRead(w, c)
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		return &answer{gw: gwErr(http.StatusBadRequest, "InvalidParameter", "The request body could not be read.")}
	}
	c.params = requestParams(r, body)
	if c.action == "" {
		c.action = c.params.Get("Action")
	}
	s.count(c.action)
	if gw := checkActionAndVersion(r, c); gw != nil {
		return &answer{gw: gw}
	}
	phones := phonesOf(c.action, c.params)
	if c.action != actionQueryDetails && s.takeMagic(phones, FaultResetBeforeRead) != "" {
		s.resetBeforeRead(w, c)
		return nil
	}
	ak, gw := s.authenticate(r, body, c.params, c.wallNow)
	if gw != nil {
		return &answer{gw: gw, phones: phones}
	}
	c.accessKeyID = ak
	if a := s.injectedFailure(c, phones); a != nil {
		return a
	}
	a := s.runAction(c)
	a.phones = phones
	if a.ok() {
		s.afterAccept(c, a, phones)
	}
	return a
}

func checkActionAndVersion(r *http.Request, c *call) *gatewayError {
	if c.action == "" {
		return errMissing("Action")
	}
	version := r.Header.Get("x-acs-version")
	if version == "" {
		version = c.params.Get("Version")
	}
	switch {
	case version == "":
		return errMissing("Version")
	case version != apiVersion:
		return errVersion
	case !knownAction(c.action):
		return errActionNotFound
	}
	return nil
}

func (s *Server) runAction(c *call) *answer {
	switch c.action {
	case actionSendSms:
		return s.sendSms(c)
	case actionSendBatchSms:
		return s.sendBatchSms(c)
	default:
		return s.querySendDetails(c)
	}
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, c *call, a *answer) {
	faults.Sleep(r.Context(), a.latency)
	s.mu.Lock()
	s.stats.Outcomes[a.code()]++
	if a.ok() {
		s.stats.AcceptedRequests[c.action]++
	}
	s.mu.Unlock()
	s.logf("dysms: %s %s %s -> %s", c.requestID, c.action, maskPhones(a.phones), s.describe(a))
	switch {
	case a.reset:
		faults.ResetConnection(w)
	case a.gw != nil:
		writeGatewayError(w, c.requestID, a.gw)
	case a.refusal != nil:
		writeRefusal(w, c.requestID, a.refusal)
	default:
		writeJSON(w, http.StatusOK, c.requestID, a.body)
	}
}

func (s *Server) resetBeforeRead(w http.ResponseWriter, c *call) {
	s.mu.Lock()
	s.stats.Outcomes["reset"]++
	s.mu.Unlock()
	s.logf("dysms: %s %s reset before read", c.requestID, c.action)
	faults.ResetConnection(w)
}

func (s *Server) count(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests[action]++
}
