package obs

// SMS providers and failover (shared/sms failover.go, docs/providers.md).
// Every sms.attempt and sms.result carries the provider whose outcome it
// is; sms.failover and sms.circuit say when and why traffic moved.
const (
	EventFailover = "sms.failover" // the request went to the secondary provider (or could not)
	EventCircuit  = "sms.circuit"  // a provider's circuit changed state (per instance)

	KeyProvider        = "provider"         // alibaba or tencent
	KeyFailoverFrom    = "failover_from"    // sms.failover: the provider skipped or failed
	KeyFailoverReason  = "failover_reason"  // sms.failover: class:code of the primary's outcome, or circuit_open
	KeyFailoverSkipped = "failover_skipped" // sms.failover: why a failover that was due could not happen
)

var providerFields = []FieldSpec{
	{KeyProvider, "text", "SMS provider of the outcome: alibaba or tencent (sms.attempt, sms.result, sms.failover, sms.circuit, sms.receipt)"},
	{KeyFailoverFrom, "text", "sms.failover: the provider the request moved away from"},
	{KeyFailoverReason, "text", "sms.failover: the primary's error_class:error_code, or circuit_open"},
	{KeyFailoverSkipped, "text", "sms.failover: why a due failover did not happen (no tencent mapping, ...)"},
	{"secondary", "text", "sms.circuit: the provider traffic goes to while the circuit is open"},
}

func init() { Fields = append(Fields, providerFields...) }
