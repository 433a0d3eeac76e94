package sms

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	tcsms "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/sms/v20210111"

	"smsflow/shared/config"
	"smsflow/shared/netx"
	"smsflow/shared/phone"
)

// Tencent sends through Tencent Cloud SMS (SendSms 2021-01-11). It makes
// one call per request and never resends: the SDK has no idempotency
// token for SendSms, and a second call after anything but a provable
// refusal could send twice. Its outcome is per number (SendStatusSet): an
// answer without error can still hold unsent numbers.
type Tencent struct {
	cfg       config.Tencent
	templates *TemplateMap
	client    *tcsms.Client
	margin    time.Duration
	now       func() time.Time
	quiet     netx.Quiet // a pause after a quiet spell (netx/quiet.go)
	// links keeps SerialNo → SessionContext for the receipts function
	// (shared/sessionlink); nil: receipts join by biz_id only.
	links SessionLinks
	log   *slog.Logger
}

// SessionLink is what a Tencent send leaves for its receipt: Tencent's
// callback carries only the SerialNo, so the SessionContext it echoed
// (our trace link, outid.go) is kept under it.
type SessionLink struct {
	SerialNo       string
	SessionContext string
	SentAt         time.Time
}

// SessionLinks stores SessionLinks (shared/sessionlink over Redis).
type SessionLinks interface {
	Put(ctx context.Context, links []SessionLink) error
}

// WithSessionLinks makes t keep each accepted number's SessionContext
// under its SerialNo; log receives a failure to (receipts then join by
// biz_id, the send is not affected).
func (t *Tencent) WithSessionLinks(links SessionLinks, log *slog.Logger) *Tencent {
	t.links, t.log = links, log
	return t
}

// tencentIdleConns is how many idle connections to Tencent the process
// keeps: as for Dysmsapi (dysmsIdleConns), one carries an instance's
// sends; the rest covers calls that overlap.
const tencentIdleConns = dysmsIdleConns

// NewTencent builds the provider. The client is built once per instance:
// its credentials are static (no STS) and FC runs one invocation at a time
// per instance, so one client and its connection pool serve them all.
func NewTencent(cfg config.Tencent, templates *TemplateMap) (*Tencent, error) {
	cp := profile.NewClientProfile()
	cp.HttpProfile.Endpoint = cfg.Endpoint
	cp.HttpProfile.Scheme = cfg.Scheme
	cp.HttpProfile.ReqTimeout = int(cfg.Timeout / time.Second)
	// Never let the SDK resend SendSms: no network retry, no rate-limit
	// retry (both default to 0; said here so nobody turns them on).
	cp.NetworkFailureMaxRetries, cp.RateLimitExceededMaxRetries = 0, 0
	client, err := tcsms.NewClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), cfg.Region, cp)
	if err != nil {
		return nil, fmt.Errorf("tencent sms client: %w", err)
	}
	// The SDK's transport keeps Go's default of 2 idle connections per
	// host, so overlapping sends (dispatch's batch) opened a connection,
	// a TLS handshake, for most calls; keep as many as Dysmsapi's pool.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = tencentIdleConns
	transport.IdleConnTimeout = 30 * time.Second // the SDK's own choice
	client.WithHttpTransport(transport)
	return &Tencent{cfg: cfg, templates: templates, client: client, margin: 250 * time.Millisecond, now: time.Now}, nil
}

// Name is the provider's name in events and answers.
func (t *Tencent) Name() string { return ProviderTencent }

// CanSend reports whether req has a Tencent mapping, or why not.
func (t *Tencent) CanSend(req Request) (bool, string) {
	_, why := t.templates.ForTencent(req)
	return why == "", why
}

// Send makes the one SendSms call.
func (t *Tencent) Send(ctx context.Context, req Request, hook AttemptHook) (Outcome, []Attempt) {
	tpl, why := t.templates.ForTencent(req)
	if why != "" {
		return Outcome{Status: StatusRejected, Class: ClassCaller, Detail: "not sendable through Tencent: " + why}, nil
	}
	if dl, ok := ctx.Deadline(); ok && t.now().Add(t.cfg.Timeout+t.margin).After(dl) {
		return Outcome{Status: StatusFailed, Class: ClassTransient, NotAttempted: true,
			Detail: "the invocation deadline left less time than one Tencent call may take; nothing was sent"}, nil
	}
	api := tcsms.NewSendSmsRequest()
	api.SmsSdkAppId = common.StringPtr(t.cfg.SdkAppID)
	api.TemplateId = common.StringPtr(tpl.TemplateID)
	api.SignName = common.StringPtr(tpl.Sign)
	api.TemplateParamSet = common.StringPtrs(tpl.Positional(req.TemplateParams))
	api.PhoneNumberSet = common.StringPtrs(e164All(req.Numbers))
	// SessionContext is echoed per number in the answer and by the pull
	// API; the callback carries only the SerialNo (docs/receipts.md).
	if link := WireOutID(ctx, ""); link != "" {
		api.SessionContext = common.StringPtr(link)
	}
	t.quiet.Settle(ctx, t.now())
	start := t.now()
	resp, err := t.client.SendSmsWithContext(ctx, api)
	t.quiet.Ended(t.now())
	var out Outcome
	if err != nil {
		out = classifyTencentError(err, t.now())
	} else {
		out = t.perNumber(req, resp)
		t.keepLinks(ctx, resp, start)
	}
	out = scrub(out, req)
	for i := range out.Numbers {
		out.Numbers[i].Message = scrub(Outcome{Message: out.Numbers[i].Message}, req).Message
	}
	a := Attempt{Number: 1, Start: start, Latency: t.now().Sub(start), Outcome: out}
	if hook != nil {
		hook(ctx, a)
	}
	return out, []Attempt{a}
}

// keepLinks stores the SessionContext Tencent echoed for each accepted
// number under its SerialNo, bounded so a slow store cannot eat the answer.
func (t *Tencent) keepLinks(ctx context.Context, resp *tcsms.SendSmsResponse, sentAt time.Time) {
	if t.links == nil || resp == nil || resp.Response == nil {
		return
	}
	var links []SessionLink
	for _, st := range resp.Response.SendStatusSet {
		if st != nil && deref(st.Code) == "Ok" && deref(st.SessionContext) != "" {
			links = append(links, SessionLink{SerialNo: deref(st.SerialNo), SessionContext: deref(st.SessionContext), SentAt: sentAt})
		}
	}
	if len(links) == 0 {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := t.links.Put(lctx, links); err != nil && t.log != nil {
		t.log.WarnContext(ctx, "tencent session links not stored: these messages' receipts will join by biz_id, not by trace",
			slog.String("error_message", err.Error()))
	}
}

// perNumber reads SendStatusSet: one outcome per number, folded into the
// request's outcome (accepted only if every number was).
func (t *Tencent) perNumber(req Request, resp *tcsms.SendSmsResponse) Outcome {
	if resp == nil || resp.Response == nil {
		return Outcome{Status: StatusUnknown, Class: ClassAmbiguous, Detail: "Tencent answered without a Response"}
	}
	r := resp.Response
	out := Outcome{RequestID: deref(r.RequestId)}
	byNumber := map[string]*tcsms.SendStatus{}
	for _, st := range r.SendStatusSet {
		if st != nil {
			byNumber[deref(st.PhoneNumber)] = st
		}
	}
	now := t.now()
	ids := []string{}
	accepted := 0
	for i, n := range req.Numbers {
		no := NumberOutcome{Index: i, Masked: n.Masked()}
		st, ok := byNumber[e164(n)]
		if !ok {
			// A number Tencent did not answer for: it may or may not
			// have been sent.
			no.Status, no.Class, no.Message = StatusUnknown, ClassAmbiguous, "no SendStatus for this number"
		} else {
			no.Code, no.Message = deref(st.Code), deref(st.Message)
			no.Status, no.Class, no.RetryAfter = classifyTencentCode(no.Code, now)
		}
		if no.Status == StatusAccepted {
			no.MessageID = deref(st.SerialNo)
			ids = append(ids, no.MessageID)
			accepted++
		}
		out.Numbers = append(out.Numbers, no)
	}
	switch {
	case accepted == len(req.Numbers):
		out.Status, out.Class, out.BizID = StatusAccepted, ClassNone, strings.Join(ids, ",")
	case accepted > 0:
		out.Status, out.Class, out.BizID = StatusPartial, ClassNone, strings.Join(ids, ",")
		out.Code, out.Message = firstRefusal(out.Numbers)
	default:
		// Nothing sent: the request's outcome is its first number's.
		f := out.Numbers[0]
		out.Status, out.Class, out.Code, out.Message, out.RetryAfter = f.Status, f.Class, f.Code, f.Message, f.RetryAfter
	}
	return out
}

func firstRefusal(ns []NumberOutcome) (string, string) {
	for _, n := range ns {
		if n.Status != StatusAccepted {
			return n.Code, n.Message
		}
	}
	return "", ""
}

// e164 is the form Tencent takes: "+" and country code, always.
func e164(n phone.Number) string {
	if n.Mainland() {
		return "+" + phone.MainlandCode + n.Upstream()
	}
	return "+" + n.Upstream()
}

func e164All(ns []phone.Number) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = e164(n)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
