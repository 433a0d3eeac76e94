package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// initCost runs bin with GODEBUG=inittrace=1 runs times and returns, per
// package, the least init time (ms) seen: what package initialisation
// costs before main, the part of start-up a change of imports moves. The
// binary is run outside the FC emulator, so it stops at the first thing
// that needs the runtime API; by then every package is initialised.
func initCost(ctx context.Context, bin string, runs int) (map[string]float64, error) {
	least := map[string]float64{}
	for r := 0; r < runs; r++ {
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = []string{"GODEBUG=inittrace=1"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // it exits non-zero without FC's environment
		sc := bufio.NewScanner(&stderr)
		seen := 0
		for sc.Scan() {
			// init <pkg> @<t> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
			f := strings.Fields(sc.Text())
			if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
				continue
			}
			v, err := strconv.ParseFloat(f[4], 64)
			if err != nil {
				continue
			}
			seen++
			if old, ok := least[f[1]]; !ok || v < old {
				least[f[1]] = v
			}
		}
		if seen == 0 {
			return nil, fmt.Errorf("%s printed no init trace", bin)
		}
	}
	return least, nil
}

func sumInit(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

// topInit lists the n costliest packages, "pkg 0.35" each.
func topInit(m map[string]float64, n int) string {
	type pc struct {
		pkg string
		ms  float64
	}
	var all []pc
	for k, v := range m {
		all = append(all, pc{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ms > all[j].ms })
	var parts []string
	for i := 0; i < n && i < len(all); i++ {
		parts = append(parts, fmt.Sprintf("%s %.2f", all[i].pkg, all[i].ms))
	}
	return strings.Join(parts, ", ")
}
