package alert

import "time"

// silenced reports whether a silence of the file mutes this alert at t.
// Silences mute notifications only: the state keeps moving, so an alert
// still firing when its silence ends is announced then.
func (c *Config) silenced(rule string, group map[string]string, t time.Time) bool {
	for _, s := range c.Silences {
		if s.Rule != rule || t.Before(s.Start) || !t.Before(s.End) {
			continue
		}
		match := true
		for k, v := range s.Matcher {
			if group[k] != v {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
