package alert

import "math"

// comparisons are the allowed `comparison` values: value <op> threshold.
var comparisons = map[string]func(v, t float64) bool{
	">":  func(v, t float64) bool { return v > t },
	">=": func(v, t float64) bool { return v >= t },
	"<":  func(v, t float64) bool { return v < t },
	"<=": func(v, t float64) bool { return v <= t },
	"==": func(v, t float64) bool { return v == t },
	"!=": func(v, t float64) bool { return v != t },
}

// breaches reports whether value breaks the rule's threshold.
func (r Rule) breaches(value float64) bool {
	if math.IsNaN(value) || r.Threshold == nil {
		return false
	}
	return comparisons[r.Comparison](value, *r.Threshold)
}
