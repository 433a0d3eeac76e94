package benchmarks

import "testing"

func TestStealIsTheEighthColumnOfTheCPULine(t *testing.T) {
	stat := "cpu  3299442 30774 906731 9906454 44457 0 22290 41774 7 9\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
	got, ok := parseCPUTimes(stat)
	want := cpuTimes{steal: 41774, total: 3299442 + 30774 + 906731 + 9906454 + 44457 + 0 + 22290 + 41774}
	if !ok || got != want {
		t.Fatalf("parseCPUTimes = %+v, %v; want %+v (guest columns are inside user, not added)", got, ok, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8\n", "cpu 1 2 3\n", "cpu 1 2 3 4 5 6 7 x\n"} {
		if _, ok := parseCPUTimes(bad); ok {
			t.Errorf("parseCPUTimes(%q) accepted a line it cannot read", bad)
		}
	}
}
