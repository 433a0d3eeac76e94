package tencent

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"smsflow/local/faults"
)

// sendSmsRequest is SendSms's body (cloud.tencent.com/document/api/382/55981).
type sendSmsRequest struct {
	PhoneNumberSet   []string `json:"PhoneNumberSet"`
	SmsSdkAppID      string   `json:"SmsSdkAppId"`
	TemplateID       string   `json:"TemplateId"`
	SignName         string   `json:"SignName"`
	TemplateParamSet []string `json:"TemplateParamSet"`
	ExtendCode       string   `json:"ExtendCode"`
	SessionContext   string   `json:"SessionContext"`
	SenderID         string   `json:"SenderId"`
}

// SendStatus is one number's outcome in SendStatusSet.
type SendStatus struct {
	SerialNo       string `json:"SerialNo"`
	PhoneNumber    string `json:"PhoneNumber"`
	Fee            int    `json:"Fee"`
	SessionContext string `json:"SessionContext"`
	Code           string `json:"Code"`
	Message        string `json:"Message"`
	IsoCode        string `json:"IsoCode"`
}

// exchange is one API request on its way to an answer.
type exchange struct {
	requestID string
	phones    []string
	err       *apiError    // a whole-request error
	statuses  []SendStatus // SendSms's answer when err is nil
	status    int          // non-zero: a gateway answer that is not the API's (FaultHTTP502)
	latency   time.Duration
	reset     bool
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	x := &exchange{requestID: newRequestID()}
	if _, ok := s.faults.Take(actionSendSms, FaultResetBeforeRead); ok {
		s.opts.Logf("tencent: %s reset before read", x.requestID)
		faults.ResetConnection(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		x.err = &errBody
	} else {
		s.handle(r, body, x)
	}
	if x.reset && x.err == nil && x.statuses == nil {
		s.opts.Logf("tencent: %s reset before read", x.requestID)
		faults.ResetConnection(w)
		return
	}
	faults.Sleep(r.Context(), x.latency)
	s.opts.Logf("tencent: %s SendSms %s -> %s", x.requestID, maskAll(x.phones), x.describe())
	switch {
	case x.reset:
		faults.ResetConnection(w)
	case x.status != 0:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(x.status)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
	case x.err != nil:
		writeResponse(w, map[string]any{"Error": map[string]string{"Code": x.err.Code, "Message": x.err.Message}, "RequestId": x.requestID})
	default:
		writeResponse(w, map[string]any{"SendStatusSet": x.statuses, "RequestId": x.requestID})
	}
}

// handle runs the checks in Tencent's order: action and version, region,
// signature, then the action. It fills x.
func (s *Server) handle(r *http.Request, body []byte, x *exchange) {
	if e := s.checkRequest(r, body); e != nil {
		x.err = e
		return
	}
	var req sendSmsRequest
	if e := decodeStrict(body, &req); e != nil {
		x.err = e
		return
	}
	x.phones = req.PhoneNumberSet
	if _, ok := s.reserved.Take(req.PhoneNumberSet, FaultResetBeforeRead); ok {
		x.reset = true
		return
	}
	if kind, latency := s.takeFault(req.PhoneNumberSet, kindsInsteadOfSend); kind != "" {
		x.latency += latency
		switch kind {
		case FaultHTTP502:
			x.status = http.StatusBadGateway
		case FaultRequestLimit:
			x.err = &errRequestLimit
		case FaultBalance:
			x.err = &errBalance
		}
		return
	}
	secretID := secretIDOf(r)
	x.statuses, x.err = s.sendSms(req, secretID, x.requestID)
	if x.err != nil {
		return
	}
	s.afterAccept(req.PhoneNumberSet, x)
}

// takeFault answers the armed or reserved-number fault among kinds (with
// the armed fault's latency), or "".
func (s *Server) takeFault(phones []string, kinds []faults.Kind) (faults.Kind, time.Duration) {
	if f, ok := s.faults.Take(actionSendSms, kinds...); ok {
		return f.Kind, f.Latency
	}
	k, _ := s.reserved.Take(phones, kinds...)
	return k, 0
}

// afterAccept arms what happens once numbers were accepted: latency, an
// ambiguous InternalError.Timeout, or a reset instead of the answer. The
// messages stay sent in every case.
func (s *Server) afterAccept(phones []string, x *exchange) {
	accepted := slices.ContainsFunc(x.statuses, func(st SendStatus) bool { return st.Code == numberOK.Code })
	if !accepted {
		return
	}
	for _, k := range kindsAfterAccept {
		if f, ok := s.faults.Take(actionSendSms, k); ok {
			x.apply(k, f.Latency)
		}
		if _, ok := s.reserved.Take(phones, k); ok {
			lat := time.Duration(0)
			if k == FaultLatency {
				lat = s.opts.MagicLatency
			}
			x.apply(k, lat)
		}
	}
}

func (x *exchange) apply(k faults.Kind, latency time.Duration) {
	x.latency += latency
	switch k {
	case FaultInternalTimeout:
		x.err, x.statuses = &errInternalTimeout, nil
	case FaultResetAfterAccept:
		x.reset = true
	}
}

func (x *exchange) describe() string {
	switch {
	case x.reset:
		return "reset"
	case x.status != 0:
		return strconv.Itoa(x.status)
	case x.err != nil:
		return x.err.Code
	}
	codes := make([]string, len(x.statuses))
	for i, st := range x.statuses {
		codes[i] = st.Code
	}
	return strings.Join(codes, ",")
}

// checkRequest is the gateway: action, version, region, timestamp, SecretId
// and signature.
func (s *Server) checkRequest(r *http.Request, body []byte) *apiError {
	action := r.Header.Get("X-TC-Action")
	switch {
	case r.Method != http.MethodPost:
		return &apiError{"InvalidParameter", "Only POST with a JSON body is supported here."}
	case action == "":
		e := errMissing("Action")
		return &e
	case action != actionSendSms:
		return &errInvalidAction
	case r.Header.Get("X-TC-Version") == "":
		e := errMissing("Version")
		return &e
	case r.Header.Get("X-TC-Version") != apiVersion:
		return &errNoSuchVersion
	case r.Header.Get("X-TC-Region") == "":
		e := errMissing("Region")
		return &e
	case !slices.Contains(Regions, r.Header.Get("X-TC-Region")):
		return &errUnsupportedReg
	}
	return s.authenticate(r, body)
}

// authenticate verifies TC3-HMAC-SHA256: a well-formed header, a fresh
// timestamp (±5 minutes), a known SecretId, a credential scope that
// matches the timestamp's date and the sms service, and the signature.
func (s *Server) authenticate(r *http.Request, body []byte) *apiError {
	auth, ok := parseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return &errInvalidAuthorization
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		e := errMissing("Timestamp")
		return &e
	}
	if skew := s.opts.Now().Sub(time.Unix(ts, 0)); skew > timestampSkewMax || skew < -timestampSkewMax {
		return &errSignatureExpire
	}
	key, ok := s.opts.Secrets[auth.secretID]
	if !ok {
		return &errSecretIDNotFound
	}
	if auth.service != service || auth.date != time.Unix(ts, 0).UTC().Format("2006-01-02") ||
		!slices.Equal(auth.signedHeaders, sortedLower(auth.signedHeaders)) || !slices.Contains(auth.signedHeaders, "host") {
		return &errSignatureFailure
	}
	want := signature(key, service, ts, canonicalRequest(r, auth.signedHeaders, body))
	if !hmacEqual(want, auth.signature) {
		return &errSignatureFailure
	}
	return nil
}

func hmacEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

func secretIDOf(r *http.Request) string {
	a, _ := parseAuthorization(r.Header.Get("Authorization"))
	return a.secretID
}

func sortedLower(h []string) []string {
	out := make([]string, len(h))
	for i, v := range h {
		out[i] = strings.ToLower(v)
	}
	slices.Sort(out)
	return out
}

// decodeStrict reads the body as Tencent does: JSON, unknown fields refused.
func decodeStrict(body []byte, req *sendSmsRequest) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(req); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			e := errUnknownParam(strings.Trim(name, `"`))
			return &e
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &apiError{"InvalidParameter", "The parameter `" + te.Field + "` has the wrong type."}
		}
		return &errBody
	}
	return nil
}

func writeResponse(w http.ResponseWriter, response map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{"Response": response})
}

func maskAll(phones []string) string {
	m := make([]string, len(phones))
	for i, p := range phones {
		m[i] = maskPhone(p)
	}
	return "[" + strings.Join(m, " ") + "]"
}
