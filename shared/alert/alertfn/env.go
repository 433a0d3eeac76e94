package alertfn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"smsflow/shared/alert"
	"smsflow/shared/alert/notify"
	"smsflow/shared/alert/slsstate"
	"smsflow/shared/config"
	"smsflow/shared/creds"
	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/redact"
	"smsflow/shared/sms"
)

// FromEnv builds the function from its environment: configuration, the
// rule file, channels with their secrets, SLS query and state. Any error
// means the function must refuse to start; the error names the variable,
// or the rule (channel, silence) and the field.
func FromEnv(stdout io.Writer) (*Handler, error) {
	h, err := fromEnv(stdout)
	// A rule file may hold a webhook URL in clear, and a parse error may
	// quote it: the start-up error goes to FC's log redacted too.
	return h, redact.Error(err)
}

func fromEnv(stdout io.Writer) (*Handler, error) {
	cfg, err := config.Load[config.Alert]()
	if err != nil {
		return nil, err
	}
	rules, source, err := alert.Load(os.Getenv, exeDir())
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "alert: rules from", source)
	if err := checkOncallNumbers(rules, os.Getenv); err != nil {
		return nil, err
	}
	if err := checkLookback(rules, cfg.StateLookback); err != nil {
		return nil, err
	}
	credentials := creds.NewSource(cfg.AllowLongLivedKey)
	sender := sms.New(cfg.Dysms, credentials)
	if err := checkSendTimeout(rules, cfg, sender); err != nil {
		return nil, err
	}
	shipper := obs.NewShipper(cfg.Logs, "alert", credentials, stdout)
	emitter := alert.SlogEmitter{Logger: obs.NewLogger(shipper)}
	channels, err := alert.BuildChannels(rules, alert.ChannelDeps{
		Getenv: os.Getenv,
		HTTP:   &http.Client{Timeout: cfg.SendTimeout},
		SMS:    SMSAdapter{Sender: sender},
	})
	if err != nil {
		return nil, fmt.Errorf("alert channels: %w", err)
	}
	conn := &slsstate.Conn{Creds: credentials, Endpoint: cfg.Logs.Endpoint, Timeout: cfg.SLSTimeout}
	query, state := Locations(cfg)
	controller, err := releaseController(cfg.Release, credentials, &slsstate.Querier{Conn: conn, Location: query},
		emitter.Logger, channels)
	if err != nil {
		return nil, err
	}
	stateLog := &slsstate.StateLog{Conn: conn, Location: state, Lookback: cfg.StateLookback,
		OnSkip: func(ctx context.Context, err error) {
			emitter.Emit(ctx, slog.LevelWarn, alert.EventError, slog.String("rule", ""),
				slog.String("stage", "state_decode"), slog.String("error_message", redact.Error(err).Error()))
		}}
	return New(Deps{
		Rules: rules,
		Options: alert.Options{
			Querier: &slsstate.Querier{Conn: conn, Location: query}, StateLog: stateLog,
			Channels: channels, Emitter: emitter, SendTimeout: cfg.SendTimeout, AppendReserve: cfg.SLSTimeout,
		},
		Flush:   shipper.Flush,
		Release: controller,
	})
}

// exeDir is the directory of the running binary: the root of the code
// package in FC (/code), where make build puts the rule file.
func exeDir() string {
	exe, err := os.Executable()
	if err != nil {
		return "."
	}
	return filepath.Dir(exe)
}

// Locations are where rules query and where state is kept. Empty parts
// fall back to SMSFLOW_SLS_PROJECT/LOGSTORE, then to the function's bound
// logConfig at call time.
func Locations(cfg config.Alert) (query, state slsstate.Location) {
	query = slsstate.Location{Project: first(cfg.QueryProject, cfg.Logs.Project), Logstore: first(cfg.QueryLogstore, cfg.Logs.Logstore)}
	state = slsstate.Location{Project: first(cfg.StateProject, query.Project), Logstore: first(cfg.StateLogstore, query.Logstore)}
	return query, state
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// checkOncallNumbers refuses a start with an on-call number Dysmsapi would
// refuse: better a failed deployment than a page that never leaves. Nor
// may one number stand twice, in one form or two (13800138000 and
// +8613800138000): its owner would be paged twice for every notice. The
// error says which entry, never the number (a duplicate's masked form).
// A list with no number at all is BuildChannels' to refuse.
func checkOncallNumbers(rules *alert.Config, getenv func(string) string) error {
	var errs []error
	for _, c := range rules.Channels {
		if c.Type != alert.ChannelSMS || !c.IsEnabled() || c.PhonesEnv == "" {
			continue
		}
		seen := map[phone.Number]int{} // number -> its entry
		for i, p := range strings.Split(getenv(c.PhonesEnv), ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			n, err := phone.Normalize(p)
			switch first, dup := seen[n]; {
			case err != nil:
				errs = append(errs, fmt.Errorf("channel %q: %s entry %d: %w", c.Name, c.PhonesEnv, i+1, err))
			case dup:
				errs = append(errs, fmt.Errorf("channel %q: %s entries %d and %d are one number (%s): it would be paged twice for every notice",
					c.Name, c.PhonesEnv, first, i+1, n.Masked()))
			default:
				seen[n] = i + 1
			}
		}
	}
	return errors.Join(errs...)
}

// checkSendTimeout refuses a SMSFLOW_ALERT_SEND_TIMEOUT in which an
// enabled SMS channel could never text anyone: the sender starts no
// SendSms that could not end (SMSFLOW_DYSMS_TIMEOUT, and its margin to
// answer) before the notification's deadline, so every page would end
// "not attempted", run after run, while the alert fired.
func checkSendTimeout(rules *alert.Config, cfg config.Alert, sender *sms.Sender) error {
	need := sender.CallBudget()
	if cfg.SendTimeout > need {
		return nil
	}
	var errs []error
	for _, c := range rules.Channels {
		if c.Type == alert.ChannelSMS && c.IsEnabled() {
			errs = append(errs, fmt.Errorf("channel %q: SMSFLOW_ALERT_SEND_TIMEOUT (%s) must be longer than one Dysmsapi call needs, SMSFLOW_DYSMS_TIMEOUT (%s) + %s: no on-call SMS would ever be sent",
				c.Name, cfg.SendTimeout, cfg.Dysms.ReadTimeout, need-cfg.Dysms.ReadTimeout))
		}
	}
	return errors.Join(errs...)
}

// checkLookback refuses a repeat_interval the state read-back does not
// cover: a firing alert writes a record at least once per repeat, and the
// latest one must stay within reach or the alert would start over.
func checkLookback(rules *alert.Config, lookback time.Duration) error {
	var errs []error
	for _, r := range rules.Rules {
		if r.IsEnabled() && r.RepeatInterval+rules.Settings.Interval >= lookback {
			errs = append(errs, fmt.Errorf("rule %q: field repeat_interval: %s is not shorter than SMSFLOW_ALERT_STATE_LOOKBACK (%s) less one interval",
				r.Name, r.RepeatInterval, lookback))
		}
	}
	return errors.Join(errs...)
}

// SMSAdapter sends alert texts through the shared sender: the same
// client, signing, classification and safe retries as any other SMS.
type SMSAdapter struct{ Sender *sms.Sender }

// SendSMS sends one text to one number. Anything but accepted is an error
// (the channel is retried next run); the error carries the outcome's
// status, class and code, never the number or the parameters.
func (a SMSAdapter) SendSMS(ctx context.Context, req notify.SMSRequest) error {
	n, err := phone.Normalize(req.Phone)
	if err != nil {
		return fmt.Errorf("on-call number: %w", err)
	}
	out, attempts := a.Sender.Send(ctx, sms.Request{Numbers: []phone.Number{n}, SignName: req.SignName,
		TemplateCode: req.TemplateCode, TemplateParams: req.Params, OutID: req.OutID}, nil)
	if out.Status == sms.StatusAccepted {
		return nil
	}
	err = fmt.Errorf("SendSms %s after %d attempt(s): class %s, code %q", out.Status, len(attempts), out.Class, out.Code)
	if out.Status == sms.StatusUnknown {
		// Alibaba may be sending it: never page again for it (issue 10.9).
		return &notify.UnknownError{Err: err}
	}
	return err
}
