package alert

import (
	"regexp"
	"strings"
)

// templateRE matches ${name} in annotations and SMS parameters.
var templateRE = regexp.MustCompile(`\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// reservedVars are the variables every annotation may use besides the
// rule's group_by fields.
var reservedVars = map[string]bool{
	"rule": true, "severity": true, "status": true, "value": true,
	"threshold": true, "comparison": true, "window": true, "samples": true,
	"group": true, "example_trace_id": true, "fired_for": true,
}

// templateVars lists the ${names} used in text.
func templateVars(text string) []string {
	var out []string
	for _, m := range templateRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// expand replaces ${name} by vars[name]; unknown names become empty so a
// message never shows template syntax to a person.
func expand(text string, vars map[string]string) string {
	if !strings.Contains(text, "${") {
		return text
	}
	return templateRE.ReplaceAllStringFunc(text, func(m string) string {
		return vars[m[2:len(m)-1]]
	})
}
