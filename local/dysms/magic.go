package dysms

import "smsflow/local/faults"

// magicNumber is what a reserved number does. The range 13800000001-
// 13800000018 is reserved; every other number behaves normally. The table
// is documented in docs/local-dysms.md: keep the two in step.
type magicNumber struct {
	fault     FaultKind      // "" for none
	firstOnly bool           // only the first request with this number since Reset
	delivery  DeliveryStatus // 0 for the normal outcome (delivered)
	receipt   receiptQuirk   // how its receipts misbehave (receipts.go)
}

var magicNumbers = map[string]magicNumber{
	"13800000001": {fault: FaultHTTP500},
	"13800000002": {fault: FaultHTTP503},
	"13800000003": {fault: FaultSystemError},
	"13800000004": {fault: FaultThrottlingAPI},
	"13800000005": {fault: FaultThrottlingUser},
	"13800000006": {fault: FaultBusinessLimit},
	"13800000007": {fault: FaultResetBeforeRead},
	"13800000008": {fault: FaultResetAfterAccept},
	"13800000009": {fault: FaultLatency},
	"13800000010": {delivery: StatusFailed},
	"13800000011": {delivery: StatusWaiting},
	"13800000012": {fault: FaultHTTP503, firstOnly: true},
	"13800000013": {fault: FaultResetAfterAccept, firstOnly: true},
	"13800000014": {fault: FaultLatency, firstOnly: true},
	"13800000015": {receipt: quirkSlow},
	"13800000016": {receipt: quirkDuplicate},
	"13800000017": {receipt: quirkOutOfOrder},
	"13800000018": {receipt: quirkBeforeAnswer},
}

// reservedLookup answers what a reserved number among a request's numbers
// triggers, keyed by its normalised form.
func reservedLookup(raw string) (string, faults.Reserved, bool) {
	p, ok := normalisePhone(raw)
	if !ok {
		return "", faults.Reserved{}, false
	}
	m, ok := magicNumbers[p]
	return p, faults.Reserved{Kind: m.fault, FirstOnly: m.firstOnly}, ok
}

// magicDelivery answers the delivery outcome of a reserved number.
func magicDelivery(phone string) (DeliveryStatus, bool) {
	m, ok := magicNumbers[phone]
	if !ok || m.delivery == 0 {
		return 0, false
	}
	return m.delivery, true
}
