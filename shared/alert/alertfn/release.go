package alertfn

import (
	"context"
	"log/slog"

	"smsflow/shared/alert"
	"smsflow/shared/alert/notify"
	"smsflow/shared/config"
	"smsflow/shared/redact"
	"smsflow/shared/release"
)

// releaseController is the release controller the timer drives, or nil
// when no release function is configured. It lives in the alert function
// because that is what already runs on a timer, reads SLS and holds the
// notification channels; its role is granted the alias operations only
// for the released alias (template.yaml AlertRole).
func releaseController(cfg config.Release, credentials release.Credentials, q alert.Querier,
	logger *slog.Logger, channels map[string]notify.Channel) (*release.Controller, error) {
	// LATEST (the descriptors' qualifier before the first release) is no
	// alias: nothing to drive.
	if cfg.Function == "" || cfg.Alias == "LATEST" {
		return nil, nil
	}
	policy, err := release.ParsePolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	return &release.Controller{
		FC: release.NewClient(cfg.FCEndpoint, credentials), Querier: q, Policy: policy,
		Function: cfg.Function, Alias: cfg.Alias,
		Record: func(ctx context.Context, d release.Decision) { release.LogDecision(ctx, logger, d) },
		Notify: release.NotifyAll(channels),
	}, nil
}

// runRelease runs the release controller once. A failure is an
// alert.error event and never fails the run: the next run tries again
// from the alias as it then is.
func (h *Handler) runRelease(ctx context.Context) (*release.Decision, string) {
	if h.deps.Release == nil {
		return nil, ""
	}
	d, err := h.deps.Release.Run(ctx)
	if err != nil {
		msg := redact.Error(err).Error()
		h.emit.Emit(ctx, slog.LevelError, alert.EventError, slog.String("rule", "release"),
			slog.String("stage", "release"), slog.String("error_message", msg))
		return &d, msg
	}
	return &d, ""
}
