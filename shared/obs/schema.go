// Package obs defines smsflow's structured events and ships them: every event
// is an slog record whose message is the event name and whose attributes use
// the keys below, so the rest of the code only speaks log/slog.
package obs

// Event names.
const (
	EventRequest = "sms.request" // a validated message request
	EventAttempt = "sms.attempt" // one call to Alibaba
	EventResult  = "sms.result"  // the final outcome of a request
	EventReceipt = "sms.receipt" // a delivery receipt (later)
)

// Field keys, shared by every event. See docs/events.md.
const (
	KeyTime              = "time"
	KeyLevel             = "level"
	KeyEvent             = "event"
	KeyTraceID           = "trace_id"
	KeySpanID            = "span_id"
	KeyParentSpanID      = "parent_span_id"
	KeyFCRequestID       = "fc_request_id"
	KeyFunction          = "function"
	KeyQualifier         = "qualifier"
	KeyVersion           = "version"
	KeyRegion            = "region"
	KeyInstanceID        = "instance_id"
	KeyPhoneMasked       = "phone_masked"
	KeyPhoneHash         = "phone_hash"
	KeyCountryCode       = "country_code"
	KeyNumberCount       = "number_count"
	KeySignName          = "sign_name"
	KeyTemplateCode      = "template_code"
	KeyTemplateParamKeys = "template_param_keys"
	KeyOutID             = "out_id"
	KeyBizID             = "biz_id"
	KeyUpstreamRequestID = "upstream_request_id"
	KeyAttempt           = "attempt"
	KeyAttempts          = "attempts"
	KeyLatencyMS         = "latency_ms"
	KeyDurationMS        = "duration_ms"
	KeyStatus            = "status"
	KeyErrorCode         = "error_code"
	KeyErrorClass        = "error_class"
	KeyErrorMessage      = "error_message"
	KeyRetryable         = "retryable"
	KeyHTTPStatus        = "http_status"
	KeyUpstreamStatus    = "upstream_http_status"
	KeyCaller            = "caller"
	KeyField             = "field"
)
