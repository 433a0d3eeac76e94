package alert

import (
	"math"
	"strings"
	"testing"
)

func TestObservations(t *testing.T) {
	r := Rule{GroupBy: []string{"template_code"}, MinSamples: 20}
	obs, err := observations(r, []map[string]string{
		{"template_code": "SMS_1", "samples": "40", "value": "0.25", "example_trace_id": "abc"},
		{"template_code": "SMS_2", "samples": "0", "value": "null", "example_trace_id": "null"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if obs[0].Group["template_code"] != "SMS_1" || obs[0].Samples != 40 || obs[0].Value != 0.25 || obs[0].Example != "abc" {
		t.Errorf("row 1 = %+v", obs[0])
	}
	if !math.IsNaN(obs[1].Value) || obs[1].Example != "" {
		t.Errorf("a null quantile over no rows is no data: %+v", obs[1])
	}
	// A built-in ratio over no sample is no data (its SQL answers 0 there),
	// whatever min_samples says; a count over no sample is a count of 0.
	for kind, noData := range map[string]bool{KindFailureRate: true, KindThrottleRate: true, KindDeliveryRate: true,
		KindNoTraffic: false, "": false} {
		o, err := observations(Rule{Kind: kind, Query: "custom"}, []map[string]string{{"samples": "0", "value": "0.0"}})
		if err != nil || math.IsNaN(o[0].Value) != noData {
			t.Errorf("%q over no sample: %+v %v, want no data %v", kind, o, err, noData)
		}
	}
	for want, row := range map[string]map[string]string{
		`no column "template_code"`:                 {"samples": "1", "value": "1"},
		"no column value":                           {"template_code": "x", "samples": "1"},
		`column value: "null" is not a`:             {"template_code": "x", "samples": "5", "value": "null"},
		"no column samples":                         {"template_code": "x", "value": "1"},
		`column samples: "many" is not a`:           {"template_code": "x", "samples": "many", "value": "1"},
		`column samples: "-3" is not a`:             {"template_code": "x", "samples": "-3", "value": "1"},
		`column samples: "Infinity" is not`:         {"template_code": "x", "samples": "Infinity", "value": "1"},
		`column value: "Infinity" is not a finite`:  {"template_code": "x", "samples": "5", "value": "Infinity"},
		`column value: "-Infinity" is not a finite`: {"template_code": "x", "samples": "5", "value": "-Infinity"},
	} {
		if _, err := observations(r, []map[string]string{row}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("row %v: err %v, want %q", row, err, want)
		}
	}
}
