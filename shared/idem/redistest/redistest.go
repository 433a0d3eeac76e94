// Package redistest starts a throwaway redis-server for tests: its own
// port, its own temporary directory, no persistence. Tests need a real
// server (the Makefile installs one); they skip only when redis-server is
// missing AND SMSFLOW_TEST_ALLOW_NO_REDIS=1 says skipping is acceptable, so
// CI can never pass by skipping.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// AllowSkipEnv names the variable that lets tests skip without redis-server.
const AllowSkipEnv = "SMSFLOW_TEST_ALLOW_NO_REDIS"

// Server is a running redis-server.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
}

// Require fails the test without redis-server (or skips it, when
// SMSFLOW_TEST_ALLOW_NO_REDIS=1), and answers the binary's path.
func Require(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(AllowSkipEnv) == "1" {
			t.Skipf("redis-server is not installed and %s=1", AllowSkipEnv)
		}
		t.Fatalf("redis-server is not installed (make test installs it; %s=1 allows skipping locally)", AllowSkipEnv)
	}
	return bin
}

// Start runs redis-server for the test and stops it when the test ends;
// extra are more redis-server options ("--maxmemory-policy", "volatile-lru").
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	s, err := StartBinary(Require(t), t.TempDir(), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartBinary runs bin on a free port with dir as its working directory;
// extra arguments come last (a later option overrides an earlier one).
func StartBinary(bin, dir string, extra ...string) (*Server, error) {
	for try := 0; try < 5; try++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", dir, "--daemonize", "no", "--protected-mode", "yes"}, extra...)
		cmd := exec.Command(bin, args...)
		// The server dies with whoever started it, even on a crash.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true} // own group: Ctrl-C reaches the launcher, which stops it in order
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("starting redis-server: %w", err)
		}
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, done: make(chan struct{})}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			sent := false
			for sc.Scan() {
				if !sent && strings.Contains(sc.Text(), "Ready to accept connections") {
					ready <- true
					sent = true
				}
			}
			if !sent {
				ready <- false
			}
			cmd.Wait()
			close(s.done)
		}()
		select {
		case ok := <-ready:
			if ok {
				return s, nil
			}
		case <-time.After(10 * time.Second):
		}
		s.Stop() // the port was taken in the meantime, or the server is broken: try again
	}
	return nil, fmt.Errorf("redis-server did not start")
}

// Stop kills the server (as a crash would) and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
