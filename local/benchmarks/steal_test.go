package benchmarks

import "testing"

func TestStealIsTheEighthColumnOfTheCPULine(t *testing.T) {
	stat := "cpu  3299442 30774 906731 9906454 44457 0 22290 41774 7 9\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
	got := parseCPUTimes(stat)
	want := cpuTimes{steal: 41774, total: 3299442 + 30774 + 906731 + 9906454 + 44457 + 0 + 22290 + 41774, ok: true}
	if got != want {
		t.Fatalf("parseCPUTimes = %+v; want %+v (guest columns are inside user, not added)", got, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8\n", "cpu 1 2 3\n", "cpu 1 2 3 4 5 6 7 x\n"} {
		if got := parseCPUTimes(bad); got.ok {
			t.Errorf("parseCPUTimes(%q) accepted a line it cannot read", bad)
		}
	}
}

// Only the goals of the section that ran while the host stole CPU carry it.
func TestAStolenSectionMarksItsOwnGoals(t *testing.T) {
	b := &Bench{}
	b.Goal("earlier section", true, "x")
	first := len(b.verdicts)
	b.Goal("this section's goal", false, "y")
	b.CountGoal("its size", true, "z")
	b.markSteal(first, 1.4, true) // a steady section: nothing said
	b.markSteal(first, 9, false)  // steal unknown: nothing claimed
	if b.verdicts[1].text != "y" {
		t.Fatalf("a steady or unmeasured section marked its goal: %q", b.verdicts[1].text)
	}
	b.markSteal(first, 8.7, true)
	if want := "y; unsteady host: CPU steal 8.7% during the section"; b.verdicts[1].text != want {
		t.Errorf("stolen section's goal reads %q, want %q", b.verdicts[1].text, want)
	}
	if b.verdicts[2].text != "z" {
		t.Errorf("a count was marked as if stolen time could move it: %q", b.verdicts[2].text)
	}
	if b.verdicts[0].text != "x" {
		t.Errorf("an earlier section's goal was marked: %q", b.verdicts[0].text)
	}
}
