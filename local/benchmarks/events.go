// Package benchmarks holds the benchmark bodies that both `go test -bench`
// and `make bench` (go run ./local bench) run, so the two print the same
// figures from the same code.
package benchmarks

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/trace"
)

// resultAttrs is a typical sms.result event.
func resultAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String(obs.KeyCaller, "token:c0dd54b6"), slog.String(obs.KeyPhoneMasked, "138****8000"),
		slog.String(obs.KeyPhoneHash, "0d6c7f5f8e0a4b1f9c3e2d1a0b9c8d7e"), slog.String(obs.KeyCountryCode, "86"),
		slog.Int(obs.KeyNumberCount, 1), slog.String(obs.KeySignName, "smsflow"), slog.String(obs.KeyTemplateCode, "SMS_LOCAL_OTP"),
		slog.String(obs.KeyTemplateParamKeys, "code"), slog.String(obs.KeyOutID, "order-1"), slog.String(obs.KeyStatus, "accepted"),
		slog.String(obs.KeyBizID, "900619746936498440^0"), slog.String(obs.KeyUpstreamRequestID, "3878D1E3-F1B4-C4E3-42C8-90E696A2198E"),
		slog.String(obs.KeyErrorCode, "OK"), slog.Bool(obs.KeyRetryable, false), slog.Int(obs.KeyUpstreamStatus, 200),
		slog.Int(obs.KeyAttempts, 1), slog.Int(obs.KeyHTTPStatus, 200), slog.Int64(obs.KeyDurationMS, 3),
	}
}

func zapFields(attrs []slog.Attr) []zap.Field {
	out := make([]zap.Field, 0, len(attrs)+3)
	for _, a := range attrs {
		switch a.Value.Kind() {
		case slog.KindInt64:
			out = append(out, zap.Int64(a.Key, a.Value.Int64()))
		case slog.KindBool:
			out = append(out, zap.Bool(a.Key, a.Value.Bool()))
		default:
			out = append(out, zap.String(a.Key, a.Value.String()))
		}
	}
	return out
}

func eventContext() context.Context {
	ctx := trace.NewContext(context.Background(), trace.NewRoot())
	return obs.WithInvocation(ctx)
}

// eventsPerRequest is what one accepted send logs: sms.request,
// sms.attempt, sms.result. Each request has its own batch, so what a batch
// costs is shared by this many events, no more.
const eventsPerRequest = 3

// SlogEvent logs one sms.result through smsflow's handler chain as a
// request does: context fields added, the event flattened into the
// request's batch (shipping is measured separately, per request).
func SlogEvent(b *testing.B) {
	shipper := obs.NewShipper(config.Logs{}, "bench", creds.NewSource(true), io.Discard)
	log := obs.NewLogger(shipper)
	attrs := resultAttrs()
	base := eventContext()
	ctx := obs.NewBatch(base)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%eventsPerRequest == 0 {
			ctx = obs.NewBatch(base)
		}
		obs.LogAttrs(ctx, log, slog.LevelInfo, obs.EventResult, attrs...)
	}
}

// ZapEvent logs the same event, with the same trace fields, through zap's
// production JSON encoder to a discarding writer.
func ZapEvent(b *testing.B) {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	sc := trace.NewRoot()
	fields := append(zapFields(resultAttrs()), zap.String(obs.KeyTraceID, sc.TraceIDString()), zap.String(obs.KeySpanID, sc.SpanIDString()),
		zap.String(obs.KeyInstanceID, obs.InstanceID))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		log.Info(obs.EventResult, fields...)
	}
}
