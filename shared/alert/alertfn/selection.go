package alertfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"smsflow/shared/alert"
)

// Selection is what a timer payload may say: which rules this trigger
// runs. An empty payload (or {}) runs every enabled rule. With "rules",
// only the named ones (each must exist); with "labels", only rules whose
// labels hold every pair given; with both, rules that satisfy both. This
// lets one function serve several timers, e.g. a 1-minute timer for
// {"labels":{"team":"sms"}} and a slower one for the delivery rules.
// State is per rule, so selections may overlap: a rule already evaluated
// for a slot is skipped by the other timer.
type Selection struct {
	Rules  []string          `json:"rules,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// ParseSelection reads a timer payload. Anything but an empty string or a
// JSON object of the fields above is refused: a typo must not silently
// run every rule, or none.
func ParseSelection(payload string) (Selection, error) {
	var s Selection
	if strings.TrimSpace(payload) == "" {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf(`payload must be empty or {"rules":[...],"labels":{...}}: %w`, err)
	}
	return s, nil
}

// key identifies a selection for caching.
func (s Selection) key() string {
	rules := slices.Sorted(slices.Values(s.Rules))
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		labels = append(labels, k+"="+s.Labels[k])
	}
	return strings.Join(rules, ",") + "|" + strings.Join(labels, ",")
}

// apply returns cfg with only the selected rules.
func (s Selection) apply(cfg *alert.Config) (*alert.Config, error) {
	if len(s.Rules) == 0 && len(s.Labels) == 0 {
		return cfg, nil
	}
	byName := map[string]bool{}
	for _, r := range cfg.Rules {
		byName[r.Name] = true
	}
	var errs []error
	for _, n := range s.Rules {
		if !byName[n] {
			errs = append(errs, fmt.Errorf("rule %q is not in the rule file", n))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sub := *cfg
	sub.Rules = nil
	for _, r := range cfg.Rules {
		if s.matches(r) {
			sub.Rules = append(sub.Rules, r)
		}
	}
	if !slices.ContainsFunc(sub.Rules, alert.Rule.IsEnabled) {
		return nil, errors.New("the payload selects no enabled rule")
	}
	return &sub, nil
}

func (s Selection) matches(r alert.Rule) bool {
	if len(s.Rules) > 0 && !slices.Contains(s.Rules, r.Name) {
		return false
	}
	for k, v := range s.Labels {
		if r.Labels[k] != v {
			return false
		}
	}
	return true
}

// names lists the enabled rules the selection runs, for the answer.
func (s Selection) names(cfg *alert.Config) []string {
	var out []string
	for _, r := range cfg.Rules {
		if r.IsEnabled() && s.matches(r) {
			out = append(out, r.Name)
		}
	}
	return out
}
