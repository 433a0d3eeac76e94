package deploycheck

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// secretsTable reads docs/operations.md's "Secrets of the ROS stack"
// table: each parameter named in a row's first cell, and whether the row
// marks it required.
func secretsTable(doc string) map[string]bool {
	_, section, _ := strings.Cut(doc, "### Secrets of the ROS stack")
	if i := strings.Index(section, "\n#"); i >= 0 {
		section = section[:i]
	}
	out := map[string]bool{}
	name := regexp.MustCompile("`([A-Za-z0-9]+)`")
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(line, "| `") {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			out[m[1]] = strings.Contains(cells[2], "**required**")
		}
	}
	return out
}

// checkNoEchoParameters: a stack can be created the first time. A NoEcho
// parameter without a default must be typed in at creation, even for the
// DeployFunctions=false stack that needs no secret, so each one has the
// safe default, empty ("not configured"), or is marked required in the docs;
// and the docs list every one, so an operator knows which to pass.
// conformance: DEP-04
func checkNoEchoParameters(ros rosTemplate, doc string) []string {
	var out []string
	table := secretsTable(doc)
	for name, p := range ros.Parameters {
		if p["NoEcho"] != true {
			continue
		}
		required, listed := table[name]
		def, hasDefault := p["Default"]
		switch {
		case !listed:
			out = append(out, fmt.Sprintf("template.yaml parameter %s is NoEcho but docs/operations.md's \"Secrets of the ROS stack\" does not list it", name))
		case !hasDefault && !required:
			out = append(out, fmt.Sprintf("template.yaml parameter %s has no default and docs/operations.md does not mark it **required**: a first stack creation asks for it unannounced", name))
		case hasDefault && def != "":
			out = append(out, fmt.Sprintf("template.yaml parameter %s: a secret's only safe default is ''", name))
		}
	}
	for name := range table {
		if ros.Parameters[name]["NoEcho"] != true {
			out = append(out, fmt.Sprintf("docs/operations.md lists %s as a secret parameter, but template.yaml has no NoEcho parameter of that name", name))
		}
	}
	sort.Strings(out)
	return out
}

// conformance: DEP-04
func TestSecretParametersAllowAFirstStackCreation(t *testing.T) {
	report(t, checkNoEchoParameters(loadDescriptors(t).ROS, operationsDoc(t)))
}

// conformance: DEP-04
func TestCatchesASecretParameterAFirstCreationStumblesOn(t *testing.T) {
	doc := operationsDoc(t)
	d := mutated(t, "template.yaml", "  AlertLarkSecret:\n    Type: String\n    NoEcho: true\n    Default: ''\n", "  AlertLarkSecret:\n    Type: String\n    NoEcho: true\n")
	mustReport(t, checkNoEchoParameters(d.ROS, doc), "AlertLarkSecret has no default and docs/operations.md does not mark it **required**")
	d = mutated(t, "template.yaml", "  PhoneHashKey:\n    Type: String\n    NoEcho: true\n    Default: ''\n", "  PhoneHashKey:\n    Type: String\n    NoEcho: true\n")
	if p := checkNoEchoParameters(d.ROS, doc); len(p) != 0 {
		t.Errorf("a parameter the docs mark required may go without a default: %v", p)
	}
	d = mutated(t, "template.yaml", "  RedisPassword:\n    Type: String\n    NoEcho: true\n    Default: ''\n", "  RedisPassword:\n    Type: String\n    NoEcho: true\n    Default: changeme\n")
	mustReport(t, checkNoEchoParameters(d.ROS, doc), "RedisPassword: a secret's only safe default is ''")
	d = mutated(t, "template.yaml", "  AlertOncallPhones:\n", "  AlertOncallNumbers:\n")
	mustReport(t, checkNoEchoParameters(d.ROS, doc), "AlertOncallNumbers is NoEcho but docs/operations.md")
	mustReport(t, checkNoEchoParameters(d.ROS, doc), "lists AlertOncallPhones as a secret parameter")
}
