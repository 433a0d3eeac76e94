package receipts

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"smsflow/shared/obs"
	"smsflow/shared/sessionlink"
)

// SourceTencent is the receipt_source of Tencent's callback.
const SourceTencent = "tencent_push"

// TencentPathPrefix is where Tencent's callback lands: TencentPathPrefix +
// <token>, a token of its own (SMSFLOW_RECEIPTS_TENCENT_TOKEN_SHA256).
const TencentPathPrefix = PushPathPrefix + "tencent/"

// Tencent is Tencent Cloud SMS's delivery callback ("SMS Sending Status
// Notification", doc 382/43547; conformance TC-08): a JSON array of
// {user_receive_time, nationcode, mobile, report_status, errmsg,
// description, sid}, answered {"result":0,"errmsg":"OK"}. tokens are the
// SHA-256 hashes (hex) of its own push token; links, when set, give each
// receipt the SessionContext its send left under the SerialNo (sid), which
// joins it to the send's trace. log hears when links cannot be read.
func Tencent(tokens []string, links *sessionlink.Store, log *slog.Logger) Provider {
	p := Provider{Name: "Tencent", Source: SourceTencent, PathPrefix: TencentPathPrefix, Parse: ParseTencentPush,
		Answer: tencentAnswer, TokenSHA256: tokens}
	if links != nil {
		p.Enrich = func(ctx context.Context, reports []Report) []Report { return joinSessions(ctx, links, log, reports) }
	}
	return p
}

// tencentAnswer is the body Tencent reads: result 0 means stored.
func tencentAnswer(w http.ResponseWriter, status int, msg string) {
	code := status
	if status == http.StatusOK {
		code, msg = 0, "OK"
	}
	writeAnswer(w, status, map[string]any{"result": code, "errmsg": msg})
}

type tencentWire struct {
	UserReceiveTime *string `json:"user_receive_time"`
	NationCode      string  `json:"nationcode"`
	Mobile          *string `json:"mobile"`
	ReportStatus    *string `json:"report_status"`
	ErrMsg          string  `json:"errmsg"`
	Description     string  `json:"description"`
	SID             *string `json:"sid"`
}

// ParseTencentPush reads a callback, all or nothing like ParsePush. The
// callback has no send time and no part count: until the session link
// supplies the send time, a receipt's send time is its report time.
func ParseTencentPush(body []byte) ([]Report, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, &ParseError{Index: -1, Reason: "the body must be a JSON array of status reports"}
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, &ParseError{Index: -1, Reason: "the body is not valid JSON: " + jsonReason(err)}
	}
	out := make([]Report, 0, len(raw))
	for i, item := range raw {
		bad := func(field, reason string) ([]Report, error) {
			return nil, &ParseError{Index: i, Field: field, Reason: reason}
		}
		var w tencentWire
		if t := bytes.TrimSpace(item); len(t) == 0 || t[0] != '{' || json.Unmarshal(item, &w) != nil {
			return bad("", "a status report must be a JSON object")
		}
		if w.Mobile == nil || *w.Mobile == "" {
			return bad("mobile", "missing")
		}
		number := strings.TrimSpace(*w.Mobile)
		if cc := strings.TrimPrefix(strings.TrimSpace(w.NationCode), "+"); cc != "" && !strings.HasPrefix(number, "+") {
			number = "+" + cc + number
		}
		var r Report
		var err error
		if r.Phone, err = receiptPhone(number); err != nil {
			return bad("mobile", "not a phone number")
		}
		if w.SID == nil || strings.TrimSpace(*w.SID) == "" {
			return bad("sid", "missing")
		}
		if r.BizID = strings.TrimSpace(*w.SID); len(r.BizID) > 64 {
			return bad("sid", "longer than 64 characters")
		}
		if w.UserReceiveTime == nil || *w.UserReceiveTime == "" {
			return bad("user_receive_time", "missing")
		}
		if r.ReportTime, err = ParseAlibabaTime(*w.UserReceiveTime); err != nil {
			return bad("user_receive_time", "not yyyy-MM-dd HH:mm:ss")
		}
		r.SendTime = r.ReportTime
		switch {
		case w.ReportStatus == nil:
			return bad("report_status", "missing")
		case *w.ReportStatus == "SUCCESS":
			r.Success = true
		case *w.ReportStatus == "FAIL":
		default:
			return bad("report_status", "must be SUCCESS or FAIL")
		}
		// Tencent documents no length for errmsg or description: they are
		// kept to the bounds Alibaba's receipts have (report.go), cut
		// rather than refused, so an unexpectedly long text costs a log
		// line its tail, never the receipt (conformance TC-12).
		r.ErrCode, r.ErrMsg, r.SMSSize = clip(w.ErrMsg, maxErrCodeRunes), clip(w.Description, maxErrMsgRunes), 1
		out = append(out, r)
	}
	return out, nil
}

// joinSessions gives each receipt the SessionContext (our trace link) and
// send time its send stored under the SerialNo. Past its share of the
// answer budget, or with the store down, receipts go on unjoined (by
// biz_id): a receipt is never refused for want of its trace.
func joinSessions(ctx context.Context, links *sessionlink.Store, log *slog.Logger, reports []Report) []Report {
	serials := make([]string, len(reports))
	for i, r := range reports {
		serials[i] = r.BizID
	}
	lctx, cancel := phase(ctx, claimShare)
	defer cancel()
	found, err := links.Get(lctx, serials)
	if err != nil && log != nil {
		log.WarnContext(ctx, "tencent session links unavailable: receipts join by biz_id", slog.String(obs.KeyReceiptSource, SourceTencent),
			slog.String(obs.KeyErrorMessage, err.Error()))
	}
	for i, r := range reports {
		if l, ok := found[r.BizID]; ok {
			reports[i].OutID = l.SessionContext
			if !l.SentAt.IsZero() && !l.SentAt.After(r.ReportTime.Add(time.Minute)) {
				reports[i].SendTime = l.SentAt
			}
		}
	}
	return reports
}
