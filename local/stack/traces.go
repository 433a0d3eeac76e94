package stack

import (
	"context"
	"fmt"

	"smsflow/local/fcrt"
	"smsflow/shared/slstrace"
)

// LocalTraceInstance is the local SLS Trace instance: its spans are in the
// logstore smsflow-traces of project smsflow-local (docs/tracing.md).
const LocalTraceInstance = "smsflow"

// TraceOptions configure OpenTelemetry export in the local stack.
type TraceOptions struct {
	// Off runs the functions without OTLP export (it is on by default,
	// against the local SLS, as it would be against SLS Trace).
	Off bool
}

// TraceParts is what the traces component adds to a Stack.
type TraceParts struct {
	// TraceEnv is the OTLP configuration every function gets.
	TraceEnv map[string]string
}

func init() {
	register(component{name: "SLS Trace instance", order: 10, prepare: prepareTraces,
		start: func(context.Context, *Stack, Options) error { return nil }})
}

func prepareTraces(_ context.Context, s *Stack, o *Options) error {
	if o.Traces.Off {
		return nil
	}
	if err := s.SLS.EnsureTraceInstance(LocalProject, LocalTraceInstance); err != nil {
		return fmt.Errorf("trace instance: %w", err)
	}
	s.TraceEnv = map[string]string{
		"SMSFLOW_OTLP_ENDPOINT": "http://" + s.SLSAddr + slstrace.Path,
		"SMSFLOW_OTLP_HEADERS":  slstrace.HeaderProject + "=" + LocalProject + "," + slstrace.HeaderInstanceID + "=" + LocalTraceInstance,
		// The functions' STS credentials authenticate the export, as in FC.
		"SMSFLOW_OTLP_SLS_AUTH": "true",
	}
	s.Banner = append(s.Banner, fmt.Sprintf("OpenTelemetry spans (OTLP)       http://%s%s  -> logstore %s",
		s.SLSAddr, slstrace.Path, slstrace.Logstore(LocalTraceInstance)))
	return nil
}

// withTraces adds the stack-wide OTLP settings to a function's
// environment; a function's own value wins.
func (s *Stack) withTraces(fn fcrt.Function) fcrt.Function {
	env := make(map[string]string, len(fn.Env)+len(s.TraceEnv))
	for k, v := range s.TraceEnv {
		env[k] = v
	}
	for k, v := range fn.Env {
		env[k] = v
	}
	fn.Env = env
	return fn
}
