package alert

import "testing"

// One run whose clock was hours ahead (a jump, since corrected) stamps the
// alert with a slot in the future. A later run is skipped for a slot the
// key has passed, which is right for a duplicated or late timer delivery
// (minutes behind), but must not blind the rule until the real clock
// catches up: the alert would neither resolve nor fire for hours.
func TestAClockThatJumpedAheadDoesNotFreezeTheAlert(t *testing.T) {
	h := newHarness(t, testRules)
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	h.run(0)
	h.run(1)
	h.want([]string{"firing"}, []string{"firing"})
	h.run(180) // a run with the clock three hours ahead: past the repeat interval
	h.want([]string{"firing", "repeat"}, []string{"firing", "repeat"})
	h.sls.set(fixed(rateRow(100, 0)), true, nil)
	h.run(3) // the clock is right again; failures have stopped
	h.want([]string{"firing", "repeat", "resolved"}, []string{"firing", "repeat", "resolved"})

	// A late or duplicated delivery minutes behind is still skipped.
	h.sls.set(fixed(rateRow(100, 20)), true, nil)
	before := len(h.log.Records())
	h.run(2)
	if after := len(h.log.Records()); after != before {
		t.Errorf("a delivery one minute late wrote %d records", after-before)
	}
}
