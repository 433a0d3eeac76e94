package fcrt

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// spawn starts the function's binary the way FC starts a go1 instance:
// FC_RUNTIME_API pointing at this instance's runtime API, FC's own
// variables and the function role's STS triple in the environment.
func (i *Instance) spawn() error {
	bin, err := filepath.Abs(i.fn.Binary)
	if err != nil {
		return fmt.Errorf("fcrt: resolve binary of %s: %w", i.fn.Name, err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin) // FC runs the handler from its code directory
	cmd.Env = i.environment()
	cmd.Stdout = i.fn.Output
	cmd.Stderr = i.fn.Output
	// If the emulator dies, its functions must not linger on the machine.
	// Their own process group keeps a terminal's Ctrl-C (sent to the whole
	// foreground group) away from them: FC stops an instance with its
	// preStop hook, which the emulator runs when it is itself interrupted.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	// A grandchild holding the output pipe must not keep Wait from returning.
	cmd.WaitDelay = time.Second
	// Read the clock before the process exists: taken after Start
	// returns, it can come after the child's first poll (the emulator's
	// goroutine descheduled once exec succeeded), and a start would
	// measure short, or negative.
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("fcrt: start %s (%s): %w", i.fn.Name, bin, err)
	}
	afterStart()
	i.cmd = cmd
	i.mu.Lock()
	i.started = started
	i.mu.Unlock()
	i.fn.Logger.Info("fc instance started", "function", i.fn.Name, "instance", i.id,
		"pid", cmd.Process.Pid, "runtime_api", i.RuntimeAPI())
	go i.watchExit()
	return nil
}

// afterStart runs once the process has started; tests stall the emulator
// there, as the scheduler sometimes does.
var afterStart = func() {}

// binPath is the absolute path of the function's binary.
func (i *Instance) binPath() string {
	bin, err := filepath.Abs(i.fn.Binary)
	if err != nil {
		return i.fn.Binary
	}
	return bin
}

// environment is the child's environment: PATH, FC's variables, the STS
// triple, then the caller's Env (which wins). conformance: FC-09
func (i *Instance) environment() []string {
	cred := i.fn.Credentials()
	env := map[string]string{
		"PATH":                            os.Getenv("PATH"),
		"HOME":                            os.TempDir(),
		"FC_RUNTIME_API":                  i.RuntimeAPI(),
		"FC_FUNCTION_NAME":                i.fn.Name,
		"FC_FUNCTION_HANDLER":             i.fn.Handler,
		"FC_FUNCTION_MEMORY_SIZE":         strconv.Itoa(i.fn.MemoryMB),
		"FC_REGION":                       i.fn.Region,
		"FC_ACCOUNT_ID":                   i.fn.AccountID,
		"FC_INSTANCE_ID":                  i.id,
		"FC_FUNC_CODE_PATH":               filepath.Dir(i.binPath()),
		"ALIBABA_CLOUD_ACCESS_KEY_ID":     cred.AccessKeyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": cred.AccessKeySecret,
		"ALIBABA_CLOUD_SECURITY_TOKEN":    cred.SecurityToken,
	}
	for k, v := range i.fn.Env {
		env[k] = v
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// watchExit records the process's exit and fails whatever was in flight,
// as FC does when an instance dies under a request.
func (i *Instance) watchExit() {
	err := i.cmd.Wait()
	i.mu.Lock()
	i.exitErr = err
	i.frozen = false
	pending := make([]*invocation, 0, len(i.inflight))
	for _, inv := range i.inflight {
		pending = append(pending, inv)
	}
	close(i.exited)
	i.mu.Unlock()

	status := "exit status 0"
	if err != nil {
		status = err.Error()
	}
	i.fn.Logger.Info("fc instance exited", "function", i.fn.Name, "instance", i.id, "status", status)
	for _, inv := range pending {
		i.finish(inv, Result{Error: crashError(status)})
	}
	_ = i.srv.Close()
}

func newInstanceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "c-" + hex.EncodeToString(b[:])
}

// newRequestID mimics FC's request ids ("1-64f6cd87-…"): a version, the
// epoch seconds in hex, and random hex.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}
