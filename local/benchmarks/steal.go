package benchmarks

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// noisySteal is the share of CPU time stolen during a section (percent)
// past which its goals' verdicts say they were measured on a busy host. On
// this VM idle steal is about 0.2%, sections whose floors held steady
// stole 0.1–1.4%, and every section whose loopback floor stalled stole
// 3.1% or more (docs/benchmarks.md).
const noisySteal = 2.0

// cpuTimes is the aggregate "cpu" line of /proc/stat: the steal column
// (the 8th) counts time this VM's CPUs were ready to run but the
// hypervisor ran another guest, which no load average shows (a stolen CPU
// runs nothing of ours, so nothing queues).
type cpuTimes struct {
	steal, total uint64
	ok           bool
}

func readCPUTimes() cpuTimes {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	return parseCPUTimes(string(b))
}

func parseCPUTimes(stat string) cpuTimes {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal [guest guest_nice]:
	// guest time is already inside user, so the total stops at steal.
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}
	}
	t := cpuTimes{ok: true}
	for i, s := range f[1:9] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cpuTimes{}
		}
		t.total += v
		if i == 7 {
			t.steal = v
		}
	}
	return t
}

// stealSince is the share (percent) of CPU time stolen since before; ok is
// false where /proc/stat is missing or did not move.
func stealSince(before cpuTimes) (percent float64, ok bool) {
	after := readCPUTimes()
	if !before.ok || !after.ok || after.total <= before.total {
		return 0, false
	}
	return 100 * float64(after.steal-before.steal) / float64(after.total-before.total), true
}

// markSteal carries a section's steal onto the summary lines of the goals
// it recorded (verdicts from first on) when it passed noisySteal: a
// verdict is quoted alone, and must say what the host did meanwhile.
func (b *Bench) markSteal(first int, percent float64, ok bool) {
	if !ok || percent <= noisySteal {
		return
	}
	for i := first; i < len(b.verdicts); i++ {
		if b.verdicts[i].count {
			continue
		}
		b.verdicts[i].text += fmt.Sprintf("; unsteady host: CPU steal %.1f%% during the section", percent)
	}
}

func formatSteal(percent float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", percent)
}
