package alert

// reservedVars are the variables every annotation may use besides the
// rule's group_by fields.
var reservedVars = map[string]bool{
	"rule": true, "severity": true, "status": true, "value": true,
	"threshold": true, "comparison": true, "window": true, "samples": true,
	"group": true, "example_trace_id": true, "fired_for": true,
}
