package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"smsflow/shared/config"
)

// authenticator decides who may send. Behind an HTTP trigger with
// authType: function, FC has already verified the caller's signature. An
// anonymous trigger needs a bearer token whose SHA-256 is configured; with
// neither, nobody sends (nobody on the internet sends SMS on our bill).
type authenticator struct {
	trusted bool
	hashes  [][]byte
}

func newAuthenticator(cfg config.HTTPAuth) *authenticator {
	a := &authenticator{trusted: cfg.TriggerAuth == "function"}
	for _, h := range cfg.TokenSHA256 {
		if b, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(h))); err == nil && len(b) == sha256.Size {
			a.hashes = append(a.hashes, b)
		}
	}
	return a
}

// configured reports whether sends can be authenticated at all.
func (a *authenticator) configured() bool { return a.trusted || len(a.hashes) > 0 }

// check returns the caller identity to log, or an error to answer.
func (a *authenticator) check(r *http.Request) (string, *Error) {
	if a.trusted {
		return "fc-signed", nil
	}
	if len(a.hashes) == 0 {
		return "", newError(http.StatusServiceUnavailable, CodeAuthNotConfigured, "",
			"sending is disabled: configure SMSFLOW_API_TOKEN_SHA256 or deploy behind an HTTP trigger with authType: function")
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", newError(http.StatusUnauthorized, CodeUnauthenticated, "", "an Authorization: Bearer <token> header is required")
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	match := -1
	// Compare against every hash, so timing says nothing about which matched.
	for i, h := range a.hashes {
		if subtle.ConstantTimeCompare(sum[:], h) == 1 {
			match = i
		}
	}
	if match < 0 {
		return "", newError(http.StatusUnauthorized, CodeUnauthenticated, "", "the bearer token is not valid")
	}
	// Identify the caller by a prefix of the token's hash: stable, not secret.
	return "token:" + hex.EncodeToString(a.hashes[match][:4]), nil
}
