package stack

import "time"

// FunctionMemoryMB is each function's memory size as s.yaml and
// template.yaml deploy it (deploycheck holds the three to one another). The
// FC emulator hands it to the function (FC_FUNCTION_MEMORY_SIZE), which
// paces its garbage collector and bounds its memory stores by it
// (shared/runtimefit), so locally a function runs as it will on the cloud.
var FunctionMemoryMB = map[string]int{
	"send":     256,
	"receipts": 256,
	"dispatch": 256,
	"alert":    512,
}

// FunctionTimeout is each function's timeout as s.yaml deploys it
// (deploycheck holds the two to one another). The function reads its
// deadline from every invocation: send decides whether another Dysmsapi
// attempt fits in it, dispatch whether a batch does, so a local timeout of
// its own would show a user retries the cloud does not make. A test that
// needs a shorter one says so (Options.FunctionTimeout, DispatchTimeout).
var FunctionTimeout = map[string]time.Duration{
	"send":     30 * time.Second,
	"receipts": 30 * time.Second,
	"dispatch": 120 * time.Second,
	"alert":    120 * time.Second,
}
