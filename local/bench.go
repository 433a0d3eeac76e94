package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	dysmsapi "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/benchmarks"
	"smsflow/local/fcrt"
	"smsflow/local/stack"
	"smsflow/local/sts"
)

// bench prints the figures the issues set goals for, all measured in this
// one run on this machine, so ratios compare like with like.
func bench(_ []string) error {
	ctx := context.Background()
	fmt.Println("smsflow bench (one run; goals from the issues in brackets)")

	// Only the send path: receipts pushed half a second after each send, an
	// alert timer or a dispatch queue would be load beside what is measured.
	only := func(unbound bool) stack.Options {
		return stack.Options{FunctionOutput: io.Discard, Unbound: unbound,
			Receipts: stack.ReceiptOptions{Disabled: true}, Alert: stack.AlertOptions{Disabled: true},
			Idem: stack.IdemOptions{Redis: stack.RedisNone, DispatchDisabled: true}}
	}
	shipping, err := stack.Start(ctx, only(false))
	if err != nil {
		return err
	}
	defer shipping.Close()
	unbound, err := stack.Start(ctx, only(true))
	if err != nil {
		return err
	}
	defer unbound.Close()

	bare, err := bareClient(shipping.DysmsAddr)
	if err != nil {
		return err
	}
	const warm, n = 30, 400
	var tBare, tUnbound, tShip, tHop []time.Duration
	for i := 0; i < warm+n; i++ {
		// Interleaved, so drift in machine load hits all four alike.
		b, err1 := timeIt(func() error { return bareSend(bare, i) })
		u, err2 := timeIt(func() error { return gatewaySend(unbound.GatewayURL, i) })
		s, err3 := timeIt(func() error { return gatewaySend(shipping.GatewayURL, i) })
		h, err4 := timeIt(func() error { return healthz(unbound.GatewayURL) })
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		if i >= warm {
			tBare, tUnbound, tShip, tHop = append(tBare, b), append(tUnbound, u), append(tShip, s), append(tHop, h)
		}
	}
	pb, pu, ps, ph := percentiles(tBare), percentiles(tUnbound), percentiles(tShip), percentiles(tHop)
	fmt.Printf("\nwarm request latency over %d requests      p50        p99\n", n)
	fmt.Printf("  bare SDK SendSms (emulator)            %8s   %8s\n", ms(pb[0]), ms(pb[1]))
	fmt.Printf("  FC emulator round trip alone (healthz) %8s   %8s\n", ms(ph[0]), ms(ph[1]))
	fmt.Printf("  through FC emulator, no SLS shipping   %8s   %8s\n", ms(pu[0]), ms(pu[1]))
	fmt.Printf("  through FC emulator, shipping to SLS   %8s   %8s\n", ms(ps[0]), ms(ps[1]))
	fmt.Printf("  overhead over the bare SDK at p99      %s   ratio %.2fx   [<= 1 ms]\n", ms(pu[1]-pb[1]), float64(pu[1])/float64(pb[1]))
	fmt.Printf("  added by log shipping at p99           %s   ratio %.2fx   [<= 2 ms]\n", ms(ps[1]-pu[1]), float64(ps[1])/float64(pu[1]))

	size, err := binarySize()
	if err != nil {
		return err
	}
	fmt.Printf("\nsend binary (linux/amd64, static, -s -w)   %.1f MB   [<= 25 MB]\n", float64(size)/1e6)

	startup, err := startupLatency(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("process start to first `next` poll        %s (median of 5)\n", ms(startup))

	slogR := testing.Benchmark(benchmarks.SlogEvent)
	zapR := testing.Benchmark(benchmarks.ZapEvent)
	fmt.Printf("\nper event                 ns/op   allocs/op  B/op\n")
	fmt.Printf("  smsflow slog handler  %7d   %6d   %6d\n", slogR.NsPerOp(), slogR.AllocsPerOp(), slogR.AllocedBytesPerOp())
	fmt.Printf("  go.uber.org/zap       %7d   %6d   %6d\n", zapR.NsPerOp(), zapR.AllocsPerOp(), zapR.AllocedBytesPerOp())
	fmt.Printf("  ratio slog/zap        %.2fx   [<= 2x]\n", float64(slogR.NsPerOp())/float64(zapR.NsPerOp()))
	return nil
}

func timeIt(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func percentiles(d []time.Duration) [2]time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))] }
	return [2]time.Duration{at(0.50), at(0.99)}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

// Notification templates allow 50 a day per number: every request gets its
// own number anyway, so flow control never enters the figures.
func number(i int) string { return fmt.Sprintf("135%08d", i) }

func bareClient(addr string) (*dysmsapi.Client, error) {
	c := sts.Issue(time.Hour)
	return dysmsapi.NewClient(&openapi.Config{AccessKeyId: tea.String(c.AccessKeyID), AccessKeySecret: tea.String(c.AccessKeySecret),
		SecurityToken: tea.String(c.SecurityToken), Endpoint: tea.String(addr), Protocol: tea.String("HTTP"), NoProxy: tea.String(addr),
		ReadTimeout: tea.Int(5000), ConnectTimeout: tea.Int(1)})
}

func bareSend(c *dysmsapi.Client, i int) error {
	resp, err := c.SendSmsWithOptions(&dysmsapi.SendSmsRequest{PhoneNumbers: tea.String("136" + number(i)[3:]), SignName: tea.String("smsflow"),
		TemplateCode: tea.String("SMS_LOCAL_NOTICE"), TemplateParam: tea.String(`{"name":"bench","status":"ok"}`)}, &util.RuntimeOptions{})
	if err != nil {
		return err
	}
	if tea.StringValue(resp.Body.Code) != "OK" {
		return fmt.Errorf("bare SendSms: %s", tea.StringValue(resp.Body.Code))
	}
	return nil
}

func gatewaySend(url string, i int) error {
	body := `{"phone_numbers":["` + number(i) + `"],"sign_name":"smsflow","template_code":"SMS_LOCAL_NOTICE","template_params":{"name":"bench","status":"ok"}}`
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/messages", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("send answered %d", resp.StatusCode)
	}
	return nil
}

func healthz(url string) error {
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("healthz answered %d", resp.StatusCode)
	}
	return nil
}

// binarySize builds the deployable the way make build does.
func binarySize() (int64, error) {
	root, err := stack.ModuleRoot()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "smsflow-size-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "main")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./functions/send")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building send: %w\n%s", err, b)
	}
	st, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// startupLatency starts fresh instances of send and reads when each first
// polled the runtime API.
func startupLatency(ctx context.Context) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "smsflow-start-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	bin, err := stack.BuildFunction(ctx, dir, "send")
	if err != nil {
		return 0, err
	}
	var d []time.Duration
	for i := 0; i < 5; i++ {
		inst, err := fcrt.Start(ctx, fcrt.Function{Name: "send", Binary: bin, Timeout: 10 * time.Second, Output: io.Discard, Logger: slog.New(slog.DiscardHandler),
			Env: map[string]string{"SMSFLOW_API_TOKEN_SHA256": strings.Repeat("0", 64), "SMSFLOW_PHONE_HASH_KEY": "k"}})
		if err != nil {
			return 0, err
		}
		deadline := time.Now().Add(10 * time.Second)
		for inst.Timing().FirstPoll.IsZero() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		d = append(d, inst.Timing().StartupLatency())
		inst.Kill()
	}
	slices.Sort(d)
	return d[2], nil
}
