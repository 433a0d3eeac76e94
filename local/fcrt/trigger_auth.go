package fcrt

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"smsflow/local/acs3"
	"smsflow/local/sts"
)

// TriggerAuth is an HTTP trigger's authType, as s.yaml and template.yaml
// declare it per trigger.
type TriggerAuth string

// The authTypes the emulator implements (FC also has jwt).
const (
	// AuthAnonymous lets every request through to the function.
	AuthAnonymous TriggerAuth = "anonymous"
	// AuthFunction makes FC's gateway verify an ACS3-HMAC-SHA256 signature
	// in Authorization before the function runs; anything else (no header,
	// a Bearer token, a bad signature) is refused with 403 and the
	// function never sees it.
	AuthFunction TriggerAuth = "function"
)

// triggerAuthenticator is the gateway's side of authType: function.
type triggerAuthenticator struct {
	verifier *acs3.Verifier
	now      func() time.Time
}

func newTriggerAuthenticator(auth TriggerAuth) *triggerAuthenticator {
	switch auth {
	case "", AuthAnonymous:
		return nil
	case AuthFunction:
		// FC's documented required header is x-acs-date; host is required
		// here too, so a signature cannot be replayed on another trigger
		// (unverified: docs/conformance.md AUTH). A nonce, when sent and
		// signed, is checked for replay.
		return &triggerAuthenticator{verifier: &acs3.Verifier{Signed: []string{"host"}, Nonces: acs3.NewNonces()}, now: time.Now}
	}
	panic(fmt.Sprintf("fcrt: unknown trigger authType %q (want anonymous or function)", auth))
}

// check answers nil when the request may reach the function, else FC's
// refusal. The request is passed on unchanged, Authorization included
// (whether FC strips it is unverified; smsflow only looks for its presence).
func (a *triggerAuthenticator) check(r *http.Request, body []byte) *httpReply {
	if a == nil {
		return nil
	}
	_, f := a.verifier.Verify(r, body, a.now())
	if f == nil {
		return nil
	}
	rep := signatureRefusal(f)
	return &rep
}

// signatureRefusal maps the verifier's verdict onto FC's answer: every
// refusal is 403 (FC: "a missing or invalid Authorization header causes
// Function Compute to return HTTP status code 403"); the codes are FC's
// common error codes where one fits.
func signatureRefusal(f *acs3.Failure) httpReply {
	const forbidden = http.StatusForbidden
	switch f.Reason {
	case acs3.ReasonNotACS3:
		return platformErrorReply(forbidden, "AccessDenied",
			"this HTTP trigger requires an ACS3-HMAC-SHA256 signature in the Authorization header")
	case acs3.ReasonSignature:
		return platformErrorReply(forbidden, "SignatureNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your access key and signing method")
	case acs3.ReasonCredentials:
		if errors.Is(f.Err, sts.ErrUnknownAccessKey) {
			return platformErrorReply(forbidden, "InvalidAccessKeyID", "invalid access key ID")
		}
		return platformErrorReply(forbidden, "AccessDenied", "the security token is invalid or expired")
	case acs3.ReasonDateExpired, acs3.ReasonDateFormat, acs3.ReasonMissing:
		return platformErrorReply(forbidden, "AccessDenied", "x-acs-date is missing, malformed or more than 15 minutes away")
	case acs3.ReasonNonceUsed:
		return platformErrorReply(forbidden, "AccessDenied", "the signature nonce was used already")
	}
	return platformErrorReply(forbidden, "AccessDenied", "the Authorization header is not a complete ACS3-HMAC-SHA256 signature")
}
