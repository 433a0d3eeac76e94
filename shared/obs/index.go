package obs

// FieldSpec describes one indexed field: its SLS index type and meaning.
type FieldSpec struct {
	Key  string
	Type string // "text" or "long"
	Doc  string
}

// Fields is the event schema: every key an event may carry. The logstore
// index, docs/events.md and the deployment templates are checked against it.
var Fields = []FieldSpec{
	{KeyTime, "text", "event time, RFC 3339 with nanoseconds (SLS's __time__ holds seconds; the log's TimeNs the rest)"},
	{KeyLevel, "text", "DEBUG, INFO, WARN or ERROR"},
	{KeyEvent, "text", "event name: sms.request, sms.attempt, sms.result, sms.receipt, alert.*; `log` for a diagnostic line"},
	{"message", "text", "text of a diagnostic line (event=log)"},
	{KeyTraceID, "text", "W3C trace id (32 hex): the caller's when it sent traceparent"},
	{KeySpanID, "text", "this event's span (16 hex); each Alibaba call has its own"},
	{KeyParentSpanID, "text", "the parent span: the caller's span for a request, the request's span for an attempt"},
	{KeyFCRequestID, "text", "FC's request id of the invocation"},
	{KeyFunction, "text", "FC function name"},
	{KeyQualifier, "text", "FC qualifier (LATEST, an alias)"},
	{KeyVersion, "text", "FC version id"},
	{KeyRegion, "text", "FC region"},
	{KeyInstanceID, "text", "FC instance id (or host name)"},
	{KeyPhoneMasked, "text", "masked numbers, comma-separated: 138****8000"},
	{KeyPhoneHash, "text", "keyed HMAC-SHA256 of each number (32 hex), comma-separated"},
	{KeyCountryCode, "text", "country calling codes of the numbers, comma-separated"},
	{KeyNumberCount, "long", "how many numbers the request has"},
	{KeySignName, "text", "SMS signature"},
	{KeyTemplateCode, "text", "template code"},
	{KeyTemplateParamKeys, "text", "template parameter NAMES, comma-separated (values are never logged; a name holding 7 or more digits has every digit masked, as it could hide a number)"},
	{KeyOutID, "text", "the caller's out_id (never our trace link token: see docs/receipts.md)"},
	{KeyBizID, "text", "Alibaba's BizId of an accepted send"},
	{KeyUpstreamRequestID, "text", "Alibaba's RequestId"},
	{KeyAttempt, "long", "1-based number of this Alibaba call (sms.attempt)"},
	{KeyAttempts, "long", "how many Alibaba calls the request made (sms.result)"},
	{KeyLatencyMS, "long", "duration of one Alibaba call, ms (sms.attempt)"},
	{KeyDurationMS, "long", "duration of the whole request, ms (sms.result)"},
	{KeyStatus, "text", "accepted, rejected, throttled, failed, unknown; on sms.receipt delivered or failed"},
	{KeyErrorCode, "text", "Alibaba's code (a receipt's err_code: DELIVERED, MK:0001...), or the API's error code for a refused request"},
	{KeyErrorClass, "text", "caller, flow_control, throttling, transient, ambiguous, credentials, account, upstream, request"},
	{KeyErrorMessage, "text", "what went wrong, without numbers or parameter values"},
	{KeyRetryable, "text", "true when calling again is safe and useful"},
	{KeyHTTPStatus, "long", "status the API answered"},
	{KeyUpstreamStatus, "long", "HTTP status of Alibaba's answer (0 when none arrived)"},
	{KeyCaller, "text", "who asked: token:<hash prefix>, or fc-signed"},
	{KeyField, "text", "the request field a refusal is about"},
	{KeyDecision, "text", "sms.result: send (an admitted request's outcome: what the sending rules count), refused (refused before any send: invalid, unauthenticated, idempotency conflict, send limit, unreadable message) or replayed (a stored answer)"},
	{KeyDelivered, "text", "sms.receipt: true when Alibaba reported the message delivered"},
	{KeyTimeToDeliveryMS, "long", "sms.receipt: report_time − send_time, ms (Alibaba's times have whole seconds)"},
	{KeySMSSize, "long", "sms.receipt: how many parts (billed messages) the SMS took"},
	{KeySendTime, "text", "sms.receipt: when Alibaba sent it, RFC 3339 UTC"},
	{KeyReportTime, "text", "sms.receipt: when the operator reported, RFC 3339 UTC"},
	{KeyReceiptID, "text", "sms.receipt: hash of the receipt's content; count(DISTINCT receipt_id) counts re-pushed receipts once"},
	{KeyReceiptSource, "text", "sms.receipt: http_push (how the receipt arrived)"},
	{KeyJoinedBy, "text", "sms.receipt: out_id when the out_id carried the send's trace, biz_id when it did not"},
	{KeyBodyBytes, "long", "sms.receipt_rejected: size of the refused body (the body itself is never logged)"},
	{KeyIdempotencyKey, "text", "keyed hash of the request's idempotency key (Idempotency-Key header, or an event message's key or id)"},
	{KeyReplayed, "text", "true when the answer was replayed from the idempotency store instead of sending"},
	{KeyMessageID, "text", "id of the delivered queue message (MNS message id, or the CloudEvent id): dispatch, and receipts from the MNS report queue"},
	{KeyDisposition, "text", "dispatch: what became of a message: sent, replayed, refused, retry (the invocation fails so EventBridge retries), poison"},
}
