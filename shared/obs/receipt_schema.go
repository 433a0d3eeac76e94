package obs

// Delivery receipts (shared/receipts, docs/receipts.md). The keys are the
// ones the delivery alert rules query: `delivered = 'true'` and
// `time_to_delivery_ms` (shared/alert/compile.go).
const (
	// EventReceiptRejected is a receipt push (or queue message) that was
	// refused as malformed: logged so a format change is seen, not lost.
	EventReceiptRejected = "sms.receipt_rejected"

	KeyDelivered        = "delivered"           // "true" or "false"
	KeyTimeToDeliveryMS = "time_to_delivery_ms" // report_time − send_time
	KeySMSSize          = "sms_size"            // parts of the message (Alibaba's sms_size)
	KeySendTime         = "send_time"           // Alibaba's send_time, RFC 3339 UTC
	KeyReportTime       = "report_time"         // Alibaba's report_time, RFC 3339 UTC
	KeyReceiptID        = "receipt_id"          // content hash: the same receipt twice has the same id
	KeyReceiptSource    = "receipt_source"      // http_push (a second provider adds its own)
	KeyJoinedBy         = "joined_by"           // out_id (our link token) or biz_id (no token)
	KeyBodyBytes        = "body_bytes"          // size of a refused push (sms.receipt_rejected)
)
