package benchmarks

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cpuTimes is the aggregate "cpu" line of /proc/stat: the steal column
// (the 8th) counts time this VM's CPUs were ready to run but the
// hypervisor ran another guest, which no load average shows. A p99 taken
// while steal is high measures the host's neighbours: runs P, S, T and W
// in docs/benchmarks.md stalled the bare round trip at 5–14% steal.
type cpuTimes struct{ steal, total uint64 }

func readCPUTimes() (cpuTimes, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, false
	}
	return parseCPUTimes(string(b))
}

func parseCPUTimes(stat string) (cpuTimes, bool) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq steal [guest guest_nice]:
	// guest time is already inside user, so the total stops at steal.
	if len(f) < 9 || f[0] != "cpu" {
		return cpuTimes{}, false
	}
	var t cpuTimes
	for i, s := range f[1:9] {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cpuTimes{}, false
		}
		t.total += v
		if i == 7 {
			t.steal = v
		}
	}
	return t, true
}

// stealSince is the share of CPU time stolen since before, as text ("n/a"
// where /proc/stat is missing or did not move).
func stealSince(before cpuTimes, ok bool) string {
	after, okAfter := readCPUTimes()
	if !ok || !okAfter || after.total <= before.total {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(after.steal-before.steal)/float64(after.total-before.total))
}
