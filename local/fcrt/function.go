package fcrt

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"time"

	"smsflow/local/sts"
)

// Defaults applied by Start to the zero fields of a Function.
const (
	DefaultHandler        = "main"
	DefaultMemoryMB       = 128
	DefaultTimeout        = 60 * time.Second
	DefaultRegion         = "cn-hangzhou"
	DefaultAccountID      = "1000000000000000"
	DefaultQualifier      = "LATEST"
	DefaultPreStopTimeout = 3 * time.Second
	// stsTTL is how long FC's function-role credentials live.
	stsTTL = 36 * time.Hour
)

// Function is what FC knows about a function when it starts an instance:
// the built binary plus the configuration that reaches the runtime as
// environment variables and per-invocation headers.
type Function struct {
	Name    string // x-fc-function-name, FC_FUNCTION_NAME; required
	Binary  string // path of the built go1 binary; required
	Handler string // x-fc-function-handler; default "main"

	// Env is added to the instance environment. The emulator's own
	// environment is NOT inherited (only PATH is), as on FC; that also keeps
	// a developer's HTTP_PROXY away from the function's loopback calls.
	Env map[string]string

	// There is no instance concurrency: go1 is a standard runtime, and FC
	// 3.0 runs one invocation at a time on an instance of a standard
	// runtime (conformance FC-01); it scales out with more instances (Pool).
	Timeout  time.Duration // invocation timeout; header carries whole seconds (rounded up)
	MemoryMB int           // x-fc-function-memory

	Region      string
	AccountID   string
	Qualifier   string // x-fc-qualifier; default "LATEST"
	VersionID   string // x-fc-version-id
	ServiceName string // x-fc-service-name (FC 3.0 has no services; empty unless set)
	LogProject  string // x-fc-service-logproject
	LogStore    string // x-fc-service-logstore

	// Initializer sends the initializer hook (x-fc-function-type 1) once,
	// before the instance takes its first invocation. The binary must have
	// called fc.RegisterInitializerFunction.
	Initializer        bool
	InitializerTimeout time.Duration // default Timeout

	// PreStop sends the preStop hook (x-fc-function-type 2) when the
	// instance is stopped with Stop. PreFreeze does not exist on FC 3.0 and
	// is never sent.
	PreStop        bool
	PreStopTimeout time.Duration // default 3 s

	// AutoFreeze freezes the process (SIGSTOP) whenever it has no
	// invocation in flight, right after the last answer, as FC does with
	// idle instances; an invocation thaws it first.
	AutoFreeze bool

	// Credentials mints the function role's STS triple; it is called once
	// for the instance environment and once per invocation for the
	// headers. Default: sts.Issue(36 h).
	Credentials func() sts.Credential

	Output io.Writer    // child stdout+stderr; default os.Stderr
	Logger *slog.Logger // the emulator's own lines (never payloads); default slog.Default()
}

// withDefaults returns a copy of f with every zero field defaulted, or an
// error when a required field is missing.
func (f Function) withDefaults() (Function, error) {
	if f.Name == "" {
		return f, errors.New("fcrt: function name is required")
	}
	if f.Binary == "" {
		return f, errors.New("fcrt: function binary is required")
	}
	if f.Handler == "" {
		f.Handler = DefaultHandler
	}
	if f.Timeout <= 0 {
		f.Timeout = DefaultTimeout
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	if f.Region == "" {
		f.Region = DefaultRegion
	}
	if f.AccountID == "" {
		f.AccountID = DefaultAccountID
	}
	if f.Qualifier == "" {
		f.Qualifier = DefaultQualifier
	}
	if f.InitializerTimeout <= 0 {
		f.InitializerTimeout = f.Timeout
	}
	if f.PreStopTimeout <= 0 {
		f.PreStopTimeout = DefaultPreStopTimeout
	}
	if f.Credentials == nil {
		f.Credentials = RoleCredentials(stsTTL)
	}
	if f.Output == nil {
		f.Output = os.Stderr
	}
	if f.Logger == nil {
		f.Logger = slog.Default()
	}
	return f, nil
}
