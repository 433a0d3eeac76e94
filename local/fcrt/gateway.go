package fcrt

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// DefaultMaxBodyBytes is FC's limit on a synchronous invocation's payload.
const DefaultMaxBodyBytes = 32 << 20

// GatewayConfig configures an HTTP trigger. The zero value works.
type GatewayConfig struct {
	AccountID    string       // requestContext.accountId; default DefaultAccountID
	DomainPrefix string       // requestContext.domainPrefix (the trigger id on FC); default "smsflow-local"
	BodyEncoding BodyEncoding // when the request body is base64-encoded
	MaxBodyBytes int64        // default DefaultMaxBodyBytes
	Logger       *slog.Logger // default slog.Default(); never sees bodies
	// Auth is the trigger's authType; default AuthAnonymous.
	Auth TriggerAuth
}

// Gateway is an FC 3.0 HTTP trigger in front of an Invoker: every request
// becomes an HTTP trigger event, and the function's HTTP trigger response
// becomes the HTTP response.
type Gateway struct {
	target Invoker
	cfg    GatewayConfig
	auth   *triggerAuthenticator // nil: anonymous
}

// NewGateway returns the HTTP trigger of target (an *Instance or a *Pool).
func NewGateway(target Invoker, cfg GatewayConfig) *Gateway {
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.DomainPrefix == "" {
		cfg.DomainPrefix = "smsflow-local"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Gateway{target: target, cfg: cfg, auth: newTriggerAuthenticator(cfg.Auth)}
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	rep := g.handle(r, requestID, start)
	if rep.status == 0 {
		// The client went away: FC logs a 499 and answers nobody.
		g.cfg.Logger.Info("fc http trigger", "request_id", requestID, "method", r.Method,
			"path", r.URL.Path, "status", 499, "duration", time.Since(start))
		return
	}
	rep.write(w, requestID)
	// Method and path only: bodies and queries may hold phone numbers and codes.
	g.cfg.Logger.Info("fc http trigger", "request_id", requestID, "method", r.Method,
		"path", r.URL.Path, "status", rep.status, "duration", time.Since(start))
}

func (g *Gateway) handle(r *http.Request, requestID string, now time.Time) httpReply {
	body, err := io.ReadAll(io.LimitReader(r.Body, g.cfg.MaxBodyBytes+1))
	if err != nil {
		return platformErrorReply(http.StatusBadRequest, "InvalidArgument", "read request body: "+err.Error())
	}
	if int64(len(body)) > g.cfg.MaxBodyBytes {
		return platformErrorReply(http.StatusBadRequest, "EntityTooLarge",
			fmt.Sprintf("payload size exceeds maximum allowed size (%d bytes)", g.cfg.MaxBodyBytes))
	}
	if refusal := g.auth.check(r, body); refusal != nil {
		return *refusal
	}
	event, err := json.Marshal(newHTTPTriggerEvent(r, body, requestID, now, g.cfg))
	if err != nil {
		return platformErrorReply(http.StatusInternalServerError, "InternalServerError", "encode event: "+err.Error())
	}
	res, err := g.target.Invoke(r.Context(), event, InvokeOptions{RequestID: requestID})
	switch {
	case err != nil && r.Context().Err() != nil:
		return httpReply{}
	case errors.Is(err, ErrInstanceLimit):
		// conformance: FC-03
		return platformErrorReply(http.StatusTooManyRequests, "ResourceExhausted", err.Error())
	case errors.Is(err, ErrInstanceExited), errors.Is(err, ErrInstanceClosed):
		return platformErrorReply(http.StatusServiceUnavailable, "ServiceUnavailable", err.Error())
	case err != nil:
		return platformErrorReply(http.StatusInternalServerError, "InternalServerError", err.Error())
	case res.Failed():
		return invocationFailedReply(res)
	}
	rep, err := replyFromPayload(res.Payload)
	if err != nil {
		return invocationFailedReply(Result{Error: &FunctionError{Kind: KindFunctionError, Type: "InvalidResponse", Message: err.Error()}})
	}
	return rep
}
