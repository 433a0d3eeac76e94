package receipts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"smsflow/shared/obs"
	"smsflow/shared/phone"
	"smsflow/shared/scrub"
	"smsflow/shared/sms"
	"smsflow/shared/trace"
)

// Sources of receipts, logged as receipt_source. A second provider's push
// (Tencent's callback) gets its own source beside this one.
const SourceHTTP = "http_push"

// Recorder writes receipts as sms.receipt events and stores them.
type Recorder struct {
	Logger *slog.Logger
	// Hasher must be keyed like the send function's (SMSFLOW_PHONE_HASH_KEY)
	// so phone_hash matches across sends and receipts.
	Hasher *phone.Hasher
	// Store ships the events logged under ctx and reports whether they are
	// stored (obs.Shipper.FlushOrFail). Nil: logging is storing.
	Store func(ctx context.Context) error
	// Seen, when set, records a receipt pushed again only once (OpenSeen).
	// Nil, or while it fails: a repeat is logged again with the same
	// receipt_id, and queries count it once.
	Seen Seen
}

// Record logs one sms.receipt per distinct receipt and stores them,
// within ctx's deadline (the push's answer budget; see budget.go). A
// receipt repeated within one push is logged once. One repeated across
// pushes is skipped when Seen says it is already claimed; without Seen, or
// when Seen fails or is slow, it is logged again with the same receipt_id
// (see docs/receipts.md). It answers how many events it logged, and an
// error when they may not be stored (SLS failed, or did not answer in
// time): the caller must then make Alibaba push again, and the claims of
// this push are released so that push records them (and lapse after
// ClaimHold should releasing fail too).
func (rec *Recorder) Record(ctx context.Context, source string, reports []Report) (int, error) {
	ids, distinct := rec.distinct(reports)
	claimed, skip, claimErr := rec.claim(ctx, ids)
	logged, skipped := 0, 0
	for i, r := range distinct {
		if skip[i] {
			skipped++
			continue
		}
		rec.log(ctx, source, ids[i], r)
		logged++
	}
	if skipped > 0 {
		rec.Logger.InfoContext(ctx, fmt.Sprintf("%d receipt(s) of this push already recorded (pushed again); not recorded twice", skipped),
			slog.String(obs.KeyReceiptSource, source))
	}
	if claimErr != nil {
		rec.Logger.WarnContext(ctx, fmt.Sprintf("receipt duplicate filter unavailable; %d receipt(s) recorded unchecked (a repeat is counted once at query time)", logged),
			slog.String(obs.KeyReceiptSource, source), slog.String(obs.KeyErrorMessage, claimErr.Error()))
	}
	if rec.Store == nil {
		return logged, rec.settle(ctx, source, claimed, nil)
	}
	sctx, cancel := phase(ctx, storeShare)
	err := rec.Store(sctx)
	cancel()
	if err != nil {
		err = fmt.Errorf("recording %d receipts: %w", logged, err)
	}
	return logged, rec.settle(ctx, source, claimed, err)
}

// distinct drops repeats within one push and answers each receipt's id.
func (rec *Recorder) distinct(reports []Report) ([]string, []Report) {
	seen := make(map[string]bool, len(reports))
	ids := make([]string, 0, len(reports))
	out := make([]Report, 0, len(reports))
	for _, r := range reports {
		id := rec.ReceiptID(r)
		if seen[id] {
			continue
		}
		seen[id] = true
		ids, out = append(ids, id), append(out, r)
	}
	return ids, out
}

// claim claims ids for ClaimHold in one round trip, within its share of
// the budget. It answers the ids this push claimed and which ids to skip
// (already claimed by an earlier push); on error nothing is skipped.
func (rec *Recorder) claim(ctx context.Context, ids []string) (claimed []string, skip []bool, err error) {
	skip = make([]bool, len(ids))
	if rec.Seen == nil || len(ids) == 0 {
		return nil, skip, nil
	}
	cctx, cancel := phase(ctx, claimShare)
	defer cancel()
	first, err := rec.Seen.Claim(cctx, ids, ClaimHold)
	if err != nil || len(first) != len(ids) {
		if err == nil {
			err = fmt.Errorf("the duplicate filter answered %d claims for %d receipts", len(first), len(ids))
		}
		return nil, skip, err
	}
	for i, id := range ids {
		if first[i] {
			claimed = append(claimed, id)
		} else {
			skip[i] = true
		}
	}
	return claimed, skip, nil
}

// settle keeps the claims of stored receipts, or releases those of a push
// that was not stored, with what is left of the budget. A failure here
// never changes the answer: a claim not kept lapses after ClaimHold (a
// later repeat is logged again, and counted once); a claim not released
// lapses before Alibaba pushes again.
func (rec *Recorder) settle(ctx context.Context, source string, claimed []string, stored error) error {
	if len(claimed) == 0 {
		return stored
	}
	if stored == nil {
		if err := rec.Seen.Keep(ctx, claimed); err != nil {
			rec.Logger.WarnContext(ctx, fmt.Sprintf("%d receipt(s) recorded but their duplicate-filter claims not kept: they lapse in %s, and a later repeat is logged again (counted once at query time)", len(claimed), ClaimHold),
				slog.String(obs.KeyReceiptSource, source), slog.String(obs.KeyErrorMessage, err.Error()))
		}
		return nil
	}
	if err := rec.Seen.Forget(ctx, claimed); err != nil {
		rec.Logger.WarnContext(ctx, fmt.Sprintf("%d receipt(s) not stored and their duplicate-filter claims not released: they lapse in %s, before Alibaba pushes again", len(claimed), ClaimHold),
			slog.String(obs.KeyReceiptSource, source), slog.String(obs.KeyErrorMessage, err.Error()))
	}
	return stored
}

// ReceiptID is a keyed hash of everything that tells two receipts apart.
// The same receipt pushed again has the same id; two parts of a long
// message differ by report_time (or code) when they can be told apart at
// all. The number enters as its keyed phone_hash, so the id reveals nothing
// a brute force over phone numbers could recover.
func (rec *Recorder) ReceiptID(r Report) string {
	h := sha256.New()
	for _, part := range []string{"receipt/v1", rec.Hasher.Hash(r.Phone), r.BizID, r.SendTime.UTC().Format(time.RFC3339),
		r.ReportTime.UTC().Format(time.RFC3339), strconv.FormatBool(r.Success), r.ErrCode, strconv.Itoa(r.SMSSize), r.OutID} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Link answers the span a receipt's event belongs to: a child of the
// send's span when out_id carries our token, else a span in a trace
// derived from biz_id (a send from elsewhere on the account: all receipts
// of that BizId still share one trace). It also answers the caller's own
// out_id and how the join was made.
func Link(r Report) (sc trace.SpanContext, callerOutID, joinedBy string) {
	link := sms.ParseOutID(r.OutID)
	if link.Linked {
		var send trace.SpanContext
		if _, err := hex.Decode(send.TraceID[:], []byte(link.TraceID)); err == nil {
			if _, err := hex.Decode(send.SpanID[:], []byte(link.SpanID)); err == nil {
				send.Flags = 1
				return send.Child(), link.CallerOutID, "out_id"
			}
		}
	}
	var root trace.SpanContext
	sum := sha256.Sum256([]byte("smsflow biz_id " + r.BizID))
	copy(root.TraceID[:], sum[:16])
	root.Flags = 1
	return root.Child(), r.OutID, "biz_id"
}

func (rec *Recorder) log(ctx context.Context, source, id string, r Report) {
	sc, callerOutID, joinedBy := Link(r)
	if source == SourceTencent && joinedBy == "out_id" {
		joinedBy = "session_context" // the link its send left under the SerialNo
	}
	status, level := "delivered", slog.LevelInfo
	if !r.Success {
		status, level = "failed", slog.LevelWarn
	}
	rec.Logger.LogAttrs(trace.NewContext(ctx, sc), level, obs.EventReceipt,
		slog.String(obs.KeyStatus, status),
		slog.Bool(obs.KeyDelivered, r.Success),
		// The provider's words may quote the number ("号码138…已停机"), as
		// its answers to SendSms may: hidden the same way (shared/scrub).
		slog.String(obs.KeyErrorCode, scrub.Text(r.ErrCode, []phone.Number{r.Phone}, nil)),
		slog.String(obs.KeyErrorMessage, scrub.Text(r.ErrMsg, []phone.Number{r.Phone}, nil)),
		slog.Int(obs.KeySMSSize, r.SMSSize),
		slog.Int64(obs.KeyTimeToDeliveryMS, r.TimeToDelivery().Milliseconds()),
		slog.String(obs.KeySendTime, r.SendTime.UTC().Format(time.RFC3339)),
		slog.String(obs.KeyReportTime, r.ReportTime.UTC().Format(time.RFC3339)),
		slog.String(obs.KeyBizID, r.BizID),
		slog.String(obs.KeyOutID, callerOutID),
		slog.String(obs.KeyPhoneMasked, r.Phone.Masked()),
		slog.String(obs.KeyPhoneHash, rec.Hasher.Hash(r.Phone)),
		slog.String(obs.KeyCountryCode, r.Phone.CountryCode()),
		slog.String(obs.KeyReceiptID, id),
		slog.String(obs.KeyReceiptSource, source),
		slog.String(obs.KeyJoinedBy, joinedBy),
		slog.String(obs.KeyProvider, providerOf(source)),
	)
}

// providerOf names the SMS provider a receipt source belongs to.
func providerOf(source string) string {
	if source == SourceTencent {
		return "tencent"
	}
	return "alibaba"
}
