package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"smsflow/shared/config"
)

// authenticator decides who may send. Behind an HTTP trigger with
// authType: function, FC has already verified the caller's signature and
// refused anything else (a Bearer header included). An anonymous trigger
// needs a bearer token whose SHA-256 is configured; with neither, nobody
// sends (nobody on the internet sends SMS on our bill).
type authenticator struct {
	trusted bool
	tokens  []tokenCaller
	// unsigned warns when a request reaches a function told "function"
	// without an ACS3 Authorization header (docs/conformance.md AUTH-05).
	unsigned rateLimitedWarning
}

type tokenCaller struct {
	hash []byte
	who  caller
}

// caller is an authenticated caller.
type caller struct {
	// name is logged as `caller`: not secret, stable.
	name string
	// scope keeps idempotency keys apart: two callers share answers only
	// when they are the same principal.
	scope string
}

// fcSigned is every caller of a signed trigger: FC tells the function
// nothing about the signer (docs/conformance.md AUTH-05), so all of them
// share one name and one idempotency key space (README.md, Authentication).
var fcSigned = caller{name: "fc-signed", scope: "fc-signed"}

func newAuthenticator(cfg config.HTTPAuth) *authenticator {
	a := &authenticator{trusted: cfg.TriggerAuth == "function", unsigned: rateLimitedWarning{every: time.Minute}}
	for _, h := range cfg.TokenSHA256 {
		b, err := hex.DecodeString(strings.ToLower(h))
		// config.Load refuses these at start; a Handler built otherwise
		// must not accept them either.
		if err != nil || len(b) != sha256.Size || subtle.ConstantTimeCompare(b, emptyTokenHash[:]) == 1 {
			continue
		}
		full := hex.EncodeToString(b)
		a.tokens = append(a.tokens, tokenCaller{hash: b, who: caller{
			name:  "token:" + full[:config.CallerPrefixLen],
			scope: "token-sha256:" + full,
		}})
	}
	return a
}

var emptyTokenHash = sha256.Sum256(nil)

// configured reports whether sends can be authenticated at all.
func (a *authenticator) configured() bool { return a.trusted || len(a.tokens) > 0 }

// check returns the caller, or an error to answer.
func (a *authenticator) check(r *http.Request, log *slog.Logger) (caller, *Error) {
	// Authorization is a singleton field (RFC 9110 11.6.2): of two, Get
	// would pick the first, and which one a gateway checked is anyone's
	// guess. (fchttp keeps both when the trigger's names differ in case.)
	if len(r.Header.Values("Authorization")) > 1 {
		return caller{}, newError(http.StatusUnauthorized, CodeUnauthenticated, "", "send one Authorization header, not several")
	}
	header := trimOWS(r.Header.Get("Authorization"))
	scheme, credentials, _ := strings.Cut(header, " ")
	if a.trusted {
		switch {
		case strings.HasPrefix(scheme, "ACS3-"), scheme == "acs":
			// A trigger's ACS3 signature, or a signed custom domain's
			// "acs <AK>:<signature>" (docs/conformance.md AUTH-07).
			return fcSigned, nil
		case strings.EqualFold(scheme, "Bearer"):
			// FC refuses a bearer header at every signed way in: this one
			// came another way (an anonymous trigger or custom domain).
			return caller{}, newError(http.StatusUnauthorized, CodeUnauthenticated, "",
				"this deployment authenticates callers with Alibaba Cloud signatures (ACS3-HMAC-SHA256) at the trigger; bearer tokens are not accepted")
		}
		a.unsigned.warn(r.Context(), log, "SMSFLOW_TRIGGER_AUTH is 'function' but a request arrived without an Alibaba Cloud signature in Authorization: "+
			"check that every trigger and custom domain of this function has authType function (FC may also strip the header: docs/conformance.md AUTH-05)")
		return fcSigned, nil
	}
	if len(a.tokens) == 0 {
		return caller{}, newError(http.StatusServiceUnavailable, CodeAuthNotConfigured, "",
			"sending is disabled: configure SMSFLOW_API_TOKEN_SHA256 or deploy behind an HTTP trigger with authType: function")
	}
	// RFC 9110: credentials = auth-scheme [ 1*SP token68 ]. Only SP and
	// HTAB are whitespace; a no-break space is part of the token, and a
	// bearer token is a b64token (RFC 6750), which it is not.
	token := trimOWS(credentials)
	if !strings.EqualFold(scheme, "Bearer") || !isB64token(token) {
		return caller{}, newError(http.StatusUnauthorized, CodeUnauthenticated, "", "an Authorization: Bearer <token> header is required")
	}
	sum := sha256.Sum256([]byte(token))
	match := -1
	// Compare against every hash, so timing says nothing about which matched.
	for i, t := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash) == 1 {
			match = i
		}
	}
	if match < 0 {
		return caller{}, newError(http.StatusUnauthorized, CodeUnauthenticated, "", "the bearer token is not valid")
	}
	return a.tokens[match].who, nil
}

// isB64token reports whether token is RFC 6750's b64token, never empty
// and ASCII only: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
// *"=". Written out rather than a regexp: it runs on every request.
func isB64token(token string) bool {
	body := strings.TrimRight(token, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			return false
		}
	}
	return true
}

// trimOWS trims what RFC 9110 calls optional whitespace: SP and HTAB.
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// rateLimitedWarning logs one warning at most every `every` per instance:
// enough to be seen in SLS, not one line per request.
type rateLimitedWarning struct {
	every time.Duration
	mu    sync.Mutex
	last  time.Time
}

func (w *rateLimitedWarning) warn(ctx context.Context, log *slog.Logger, msg string) {
	w.mu.Lock()
	now := time.Now()
	due := w.last.IsZero() || now.Sub(w.last) >= w.every
	if due {
		w.last = now
	}
	w.mu.Unlock()
	if due {
		log.LogAttrs(ctx, slog.LevelWarn, msg)
	}
}
