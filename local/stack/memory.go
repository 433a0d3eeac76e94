package stack

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
