package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"smsflow/shared/alert/notify"
)

// EventDecision is the event every non-idle decision writes (docs/events.md).
const EventDecision = "release.decision"

// LogDecision writes d as a release.decision event through logger (the
// obs logger ships it to SLS with the invocation's fields).
func LogDecision(ctx context.Context, logger *slog.Logger, d Decision) {
	level := slog.LevelInfo
	if d.Action == ActionRollback || d.Action == ActionAbort {
		level = slog.LevelWarn
	}
	logger.LogAttrs(ctx, level, EventDecision,
		slog.String("event", EventDecision),
		slog.String("release_action", d.Action),
		slog.String("release_function", d.Function),
		slog.String("release_alias", d.Alias),
		slog.String("stable_version", d.Stable.Version),
		slog.String("canary_version", d.Canary.Version),
		slog.Float64("weight", d.Weight),
		slog.Float64("next_weight", d.NextWeight),
		slog.Int64("step_age_s", int64(d.StepAge.Seconds())),
		slog.Int64("canary_samples", d.Canary.Results),
		slog.Int64("stable_samples", d.Stable.Results),
		slog.Float64("canary_failure_rate", d.Canary.FailureRate),
		slog.Float64("stable_failure_rate", d.Stable.FailureRate),
		slog.Float64("canary_5xx_rate", d.Canary.Rate5xx),
		slog.Float64("stable_5xx_rate", d.Stable.Rate5xx),
		slog.Float64("canary_p99_ms", d.Canary.P99MS),
		slog.Float64("stable_p99_ms", d.Stable.P99MS),
		slog.String("reason", d.Reason))
}

// Summary is the decision in one line, figures included.
func (d Decision) Summary() string {
	share := fmt.Sprintf("%g -> %g", d.Weight, d.NextWeight)
	if d.Action == ActionWait {
		share = fmt.Sprintf("at %g", d.Weight)
	}
	return fmt.Sprintf("%s %s:%s: version %s (%s) vs stable %s; canary %d samples, failures %.3f, 5xx %.3f, p99 %.0f ms; stable %d samples, failures %.3f, 5xx %.3f, p99 %.0f ms; %s",
		d.Action, d.Function, d.Alias, d.Canary.Version, share, d.Stable.Version,
		d.Canary.Results, d.Canary.FailureRate, d.Canary.Rate5xx, d.Canary.P99MS,
		d.Stable.Results, d.Stable.FailureRate, d.Stable.Rate5xx, d.Stable.P99MS, d.Reason)
}

// Message is the notification of a decision.
func (d Decision) Message() notify.Message {
	status, severity := "resolved", "info"
	if d.Action == ActionRollback || d.Action == ActionAbort {
		status, severity = "firing", "critical"
	}
	title := fmt.Sprintf("release %s: %s version %s of %s", d.Action, d.Alias, d.Canary.Version, d.Function)
	text := d.Summary()
	return notify.Message{
		ID:     fmt.Sprintf("release-%s-%s-%s-%s-%g", d.Function, d.Alias, d.Canary.Version, d.Action, d.NextWeight),
		Status: status, Kind: status, Rule: "release", Severity: severity,
		Group:   map[string]string{"function": d.Function, "alias": d.Alias, "version": d.Canary.Version},
		Value:   fmt.Sprintf("%.3f", d.Canary.FailureRate),
		Samples: d.Canary.Results,
		Title:   title, Text: text, Markdown: "### " + title + "\n\n" + text,
		Vars: map[string]string{"rule": "release", "status": d.Action},
	}
}

// NotifyAll sends the decision's message to every channel; it fails only
// when no channel took it.
func NotifyAll(channels map[string]notify.Channel) func(context.Context, Decision) error {
	return func(ctx context.Context, d Decision) error {
		names := make([]string, 0, len(channels))
		for n := range channels {
			names = append(names, n)
		}
		sort.Strings(names)
		var errs []error
		for _, n := range names {
			err := channels[n].Send(ctx, d.Message())
			var partial *notify.PartialError
			if err == nil || errors.As(err, &partial) {
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
		if len(errs) == len(names) && len(names) > 0 {
			return errors.Join(errs...)
		}
		return nil
	}
}
