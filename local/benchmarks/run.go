package benchmarks

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"smsflow/local/stack"
)

// Section is one part of `make bench`. Each lives in its own file and
// registers itself from init, so adding a figure never edits another's code.
type Section struct {
	// Name heads the section's output.
	Name string
	// Order places it: lower runs first (sections run one after another,
	// never beside each other, so none is load on another's figures).
	Order int
	Run   func(ctx context.Context, b *Bench) error
}

var sections []Section

// Register adds a section to `make bench`.
func Register(s Section) { sections = append(sections, s) }

// Bench is what a section gets: where to print, how many rounds to run,
// the shared local stack, and the goal summary.
type Bench struct {
	Out io.Writer
	// Rounds is how many times each figure is measured; a figure is printed
	// as the median of the rounds with their min–max, so one noisy round
	// shows as spread instead of moving the figure.
	Rounds int

	worker []string

	stackOnce sync.Once
	stack     *stack.Stack
	stackErr  error
	verdicts  []verdict
}

type verdict struct {
	label string
	pass  bool
	text  string
	// count marks a goal on a count (bytes, allocations), which the host's
	// stolen time cannot move.
	count bool
}

// Options choose what Run runs.
type Options struct {
	Rounds int
	// Only runs the sections whose name contains it ("" runs all).
	Only string
	// Worker is the command (argv) that runs InProcessWorker, so the
	// in-process figures come from a process without the emulators in it;
	// nil measures in this process.
	Worker []string
}

// Run runs every registered section in order and ends with the goals'
// summary. A section that fails ends the run: a half-printed bench must
// not read as a complete one.
func Run(ctx context.Context, out io.Writer, o Options) error {
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	b := &Bench{Out: out, Rounds: o.Rounds, worker: o.Worker}
	defer b.closeStack()
	host, _ := os.Hostname()
	fmt.Fprintf(out, "smsflow bench: %d rounds per figure; a figure is the median of the rounds [min–max of the rounds]\n", b.Rounds)
	fmt.Fprintf(out, "host %s, %s; load average is /proc/loadavg (1, 5, 15 min) before → after each section,\n", host, cpus())
	fmt.Fprintf(out, "CPU steal its share of all CPU time during the section (/proc/stat: other guests ran on our CPUs)\n")
	sorted := append([]Section(nil), sections...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Order < sorted[j].Order })
	for _, s := range sorted {
		if o.Only != "" && !strings.Contains(s.Name, o.Only) {
			continue
		}
		before, times, first := loadAvg(), readCPUTimes(), len(b.verdicts)
		fmt.Fprintf(out, "\n== %s\n", s.Name)
		if err := s.Run(ctx, b); err != nil {
			return fmt.Errorf("bench section %q: %w", s.Name, err)
		}
		steal, ok := stealSince(times)
		fmt.Fprintf(out, "   load average %s → %s, CPU steal %s\n", before, loadAvg(), formatSteal(steal, ok))
		b.markSteal(first, steal, ok)
	}
	fmt.Fprintf(out, "\n== goals (PASS: the median of the rounds meets the goal)\n")
	for _, v := range b.verdicts {
		fmt.Fprintf(out, "  %-4s %-44s %s\n", passMiss(v.pass), v.label, v.text)
	}
	return nil
}

// Stack is the local stack with only the send path running (receipts,
// alerts and the dispatch queue would be load beside what is measured),
// shipping to the SLS emulator. Sections share it; it starts on first use.
func (b *Bench) Stack(ctx context.Context) (*stack.Stack, error) {
	b.stackOnce.Do(func() {
		b.stack, b.stackErr = stack.Start(ctx, stack.Options{FunctionOutput: io.Discard,
			Receipts: stack.ReceiptOptions{Disabled: true}, Alert: stack.AlertOptions{Disabled: true},
			Idem: stack.IdemOptions{Redis: stack.RedisNone, DispatchDisabled: true}})
	})
	return b.stack, b.stackErr
}

func (b *Bench) closeStack() {
	if b.stack != nil {
		b.stack.Close()
	}
}

// Goal records a figure against its goal for the summary and returns the
// PASS/MISS text to print beside the figure.
func (b *Bench) Goal(label string, pass bool, text string) string {
	b.verdicts = append(b.verdicts, verdict{label: label, pass: pass, text: text})
	return passMiss(pass)
}

// Annotate adds why to the summary line of the goal recorded as label: a
// verdict read alone (the summary is what gets quoted) must carry what the
// section said about the run it came from.
func (b *Bench) Annotate(label, why string) {
	for i := range b.verdicts {
		if b.verdicts[i].label == label {
			b.verdicts[i].text += "; " + why
		}
	}
}

// CountGoal is Goal for a figure that is a count (bytes, allocations), not
// a time: what the host did during the section does not bear on it.
func (b *Bench) CountGoal(label string, pass bool, text string) string {
	b.verdicts = append(b.verdicts, verdict{label, pass, text, true})
	return passMiss(pass)
}

func passMiss(pass bool) string {
	if pass {
		return "PASS"
	}
	return "MISS"
}

// loadAvg is the first three fields of /proc/loadavg ("n/a" elsewhere).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}
