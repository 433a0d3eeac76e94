package obs

import (
	"context"
	"net/http"
	"os"

	"smsflow/shared/fcctx"

	"smsflow/shared/trace"
)

// Invocation is what FC tells a function about the call it is serving.
type Invocation struct {
	RequestID, Function, Qualifier, Version, Region string
	// LogProject and LogStore are the function's logConfig.
	LogProject, LogStore string
}

type invocationKey struct{}

// WithInvocation reads the FC context once and keeps what events need.
// (fccontext.FromContext allocates a logger on every call, and a log line
// should not.) Outside FC, ctx is returned unchanged.
func WithInvocation(ctx context.Context) context.Context {
	fc, ok := fcctx.Read(ctx)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, invocationKey{}, &Invocation{RequestID: fc.RequestID, Function: fc.Function.Name,
		Qualifier: fc.Service.Qualifier, Version: fc.Service.VersionId, Region: fc.Region,
		LogProject: fc.Service.LogProject, LogStore: fc.Service.LogStore})
}

// InvocationFrom returns the invocation WithInvocation stored, if any.
func InvocationFrom(ctx context.Context) (Invocation, bool) {
	inv, ok := ctx.Value(invocationKey{}).(*Invocation)
	if !ok {
		return Invocation{}, false
	}
	return *inv, true
}

// Middleware gives every request the invocation's details (read once for
// everyone who asks: fcctx.Keep) and a batch of events that is shipped,
// synchronously, when the handler is done: before the function answers, so
// a freeze right after cannot lose it.
func Middleware(next http.Handler, s *Shipper) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := NewBatch(WithInvocation(fcctx.Keep(r.Context())))
		defer s.Flush(ctx)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// InstanceID names this process: FC's instance id when it sets one, else
// the host name.
var InstanceID = func() string {
	if id := os.Getenv("FC_INSTANCE_ID"); id != "" {
		return id
	}
	h, _ := os.Hostname()
	return h
}()

// contextFields adds what ctx says about the trace and the invocation.
func contextFields(ctx context.Context, a *arena) {
	if traceID, spanID, parent, ok := trace.IDsFromContext(ctx); ok {
		a.add(KeyTraceID, traceID)
		a.add(KeySpanID, spanID)
		if parent != "" {
			a.add(KeyParentSpanID, parent)
		}
	}
	if inv, ok := ctx.Value(invocationKey{}).(*Invocation); ok {
		a.fields = append(a.fields, Field{KeyFCRequestID, inv.RequestID}, Field{KeyFunction, inv.Function},
			Field{KeyQualifier, inv.Qualifier}, Field{KeyVersion, inv.Version}, Field{KeyRegion, inv.Region})
	}
	a.add(KeyInstanceID, InstanceID)
}
