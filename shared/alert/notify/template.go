package notify

import (
	"regexp"
	"strings"
)

// templateRE matches ${name}.
var templateRE = regexp.MustCompile(`\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// TemplateVars lists the ${names} used in text.
func TemplateVars(text string) []string {
	var out []string
	for _, m := range templateRE.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// Expand replaces ${name} by vars[name]; unknown names become empty so a
// message never shows template syntax to a person.
func Expand(text string, vars map[string]string) string {
	if !strings.Contains(text, "${") {
		return text
	}
	return templateRE.ReplaceAllStringFunc(text, func(m string) string {
		return vars[m[2:len(m)-1]]
	})
}
