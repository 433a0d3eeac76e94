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

// forgetTimeout bounds releasing the claims of a push that was not stored;
// it runs even when the invocation's own context is done.
const forgetTimeout = 2 * time.Second

// Record logs one sms.receipt per distinct receipt and stores them. A
// receipt repeated within one push is logged once. One repeated across
// pushes is skipped when Seen says it is already recorded; without Seen, or
// when Seen fails, it is logged again with the same receipt_id (see
// docs/receipts.md). It answers how many events it logged, and an error
// when they may not be stored: the caller must then make Alibaba push
// again, and the claims of this push are released so
// that delivery records them.
func (rec *Recorder) Record(ctx context.Context, source string, reports []Report) (int, error) {
	seen := make(map[string]bool, len(reports))
	var claimed []string
	var claimErr error
	logged, skipped, unchecked := 0, 0, 0
	for _, r := range reports {
		id := rec.ReceiptID(r)
		if seen[id] {
			continue
		}
		seen[id] = true
		switch {
		case rec.Seen == nil:
		case claimErr != nil:
			// The store failed on this push already: do not wait out its
			// timeout once per receipt.
			unchecked++
		default:
			first, err := rec.Seen.Claim(ctx, id)
			if err != nil {
				claimErr = err
				unchecked++
			} else if !first {
				skipped++
				continue
			} else {
				claimed = append(claimed, id)
			}
		}
		rec.log(ctx, source, id, r)
		logged++
	}
	if skipped > 0 {
		rec.Logger.InfoContext(ctx, fmt.Sprintf("%d receipt(s) of this push already recorded (pushed again); not recorded twice", skipped),
			slog.String(obs.KeyReceiptSource, source))
	}
	if claimErr != nil {
		rec.Logger.WarnContext(ctx, fmt.Sprintf("receipt duplicate filter unavailable; %d receipt(s) recorded unchecked (a repeat is counted once at query time)", unchecked),
			slog.String(obs.KeyReceiptSource, source), slog.String(obs.KeyErrorMessage, claimErr.Error()))
	}
	if rec.Store == nil {
		return logged, nil
	}
	if err := rec.Store(ctx); err != nil {
		if len(claimed) > 0 {
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), forgetTimeout)
			ferr := rec.Seen.Forget(fctx, claimed)
			cancel()
			if ferr != nil {
				rec.Logger.ErrorContext(ctx, fmt.Sprintf("%d receipt(s) not stored and their duplicate-filter claims not released: the push Alibaba makes again will skip them until the claims expire", len(claimed)),
					slog.String(obs.KeyReceiptSource, source), slog.String(obs.KeyErrorMessage, ferr.Error()))
			}
		}
		return logged, fmt.Errorf("recording %d receipts: %w", logged, err)
	}
	return logged, nil
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
	status, level := "delivered", slog.LevelInfo
	if !r.Success {
		status, level = "failed", slog.LevelWarn
	}
	rec.Logger.LogAttrs(trace.NewContext(ctx, sc), level, obs.EventReceipt,
		slog.String(obs.KeyStatus, status),
		slog.Bool(obs.KeyDelivered, r.Success),
		slog.String(obs.KeyErrorCode, r.ErrCode),
		slog.String(obs.KeyErrorMessage, r.ErrMsg),
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
	)
}
