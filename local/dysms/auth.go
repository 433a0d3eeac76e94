package dysms

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"time"

	"smsflow/local/acs3"
	"smsflow/local/sts"
)

// authenticate verifies the request's signature (ACS3-HMAC-SHA256 in the
// Authorization header, or the classic RPC HMAC-SHA1 Signature parameter),
// its credentials against the local STS, its timestamp and its nonce, and
// answers the caller's access key id.
func (s *Server) authenticate(r *http.Request, body []byte, params url.Values, now time.Time) (string, *gatewayError) {
	if acs3.IsACS3(r.Header.Get("Authorization")) {
		c, f := s.acs3.Verify(r, body, now)
		if f != nil {
			return "", acs3Error(f)
		}
		return c.AccessKeyID, nil
	}
	if params.Has("Signature") {
		return s.authenticateRPC(r.Method, params, now)
	}
	return "", errMissing("Signature")
}

// acs3Error maps the shared verifier's verdict onto Dysmsapi's gateway codes.
func acs3Error(f *acs3.Failure) *gatewayError {
	switch f.Reason {
	case acs3.ReasonIncomplete, acs3.ReasonNotACS3:
		return errIncompleteSig
	case acs3.ReasonAlgorithm:
		return errSignatureMethod
	case acs3.ReasonMissing:
		if f.Param == "x-acs-signature-nonce" {
			return errMissing("SignatureNonce")
		}
		return errMissing(f.Param)
	case acs3.ReasonDateFormat:
		return errTimestampFormat
	case acs3.ReasonDateExpired:
		return errTimestampExpired
	case acs3.ReasonKeyMismatch:
		return errTokenMismatch
	case acs3.ReasonCredentials:
		return credentialsError(f.Err)
	case acs3.ReasonSignature:
		return errSignature(f.StringToSign)
	case acs3.ReasonNonceUsed:
		return errNonceUsed
	}
	return errIncompleteSig
}

func (s *Server) authenticateRPC(method string, params url.Values, now time.Time) (string, *gatewayError) {
	ak := params.Get("AccessKeyId")
	if ak == "" {
		return "", errMissing("AccessKeyId")
	}
	switch m := params.Get("SignatureMethod"); m {
	case "":
		return "", errMissing("SignatureMethod")
	case "HMAC-SHA1":
	default:
		return "", errSignatureMethod
	}
	if v := params.Get("SignatureVersion"); v != "" && v != "1.0" {
		return "", errInvalidParam("SignatureVersion")
	}
	if f := acs3.CheckTimestamp(params.Get("Timestamp"), "Timestamp", now); f != nil {
		return "", acs3Error(f)
	}
	nonce := params.Get("SignatureNonce")
	if nonce == "" {
		return "", errMissing("SignatureNonce")
	}
	secret, err := acs3.Credentials(ak, params.Get("SecurityToken"), now)
	if err != nil {
		return "", credentialsError(err)
	}
	toSign := rpcStringToSign(method, params)
	if !hmac.Equal([]byte(rpcSignature(secret, toSign)), []byte(params.Get("Signature"))) {
		return "", errSignature(toSign)
	}
	if !s.acs3.Nonces.Use(ak, nonce, now) {
		return "", errNonceUsed
	}
	return ak, nil
}

// credentialsError maps the local STS verdict onto Alibaba's codes.
func credentialsError(err error) *gatewayError {
	switch {
	case errors.Is(err, sts.ErrUnknownAccessKey):
		return errAccessKeyNotFound
	case errors.Is(err, sts.ErrTokenExpired):
		return errTokenExpired
	case errors.Is(err, sts.ErrTokenMismatch):
		return errTokenMismatch
	case errors.Is(err, sts.ErrTokenRequired):
		return errTokenMissing
	default:
		return errTokenMalformed
	}
}
