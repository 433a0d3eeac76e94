package config

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The documented recipes for a token's hash fail on an unset token, and
// never print the empty string's hash (issue 10.1): sha256sum hashes empty
// input happily, so a guard inside the pipeline alone is not enough.
func TestTokenHashRecipesRefuseAnUnsetToken(t *testing.T) {
	var recipes []string
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("`([^`\n]*sha256sum[^`\n]*)`").FindAllStringSubmatch(string(readme), -1) {
		recipes = append(recipes, m[1])
	}
	ops, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(ops), "\n") {
		if line = strings.TrimSpace(line); strings.Contains(line, "sha256sum") && !strings.HasPrefix(line, "#") {
			recipes = append(recipes, line)
		}
	}
	if len(recipes) < 3 {
		t.Fatalf("found %d recipes: %q", len(recipes), recipes)
	}
	guard := regexp.MustCompile(`\$\{([A-Z_]+):\?`)
	export := regexp.MustCompile(`^export ([A-Z0-9_]+)=`)
	for _, recipe := range recipes {
		m := guard.FindStringSubmatch(recipe)
		if m == nil {
			t.Errorf("%q does not fail on an unset token (${TOKEN:?...})", recipe)
			continue
		}
		script := recipe
		if e := export.FindStringSubmatch(recipe); e != nil {
			script += "\nprintf %s \"$" + e[1] + "\""
		}
		run := func(env ...string) string {
			cmd := exec.Command("sh", "-c", script)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
			out, _ := cmd.Output()
			return strings.TrimSpace(string(out))
		}
		if out := run(); out != "" {
			t.Errorf("%q with %s unset printed %q", recipe, m[1], out)
		}
		if out := run(m[1] + "=a-real-token"); out != hashOf("a-real-token") {
			t.Errorf("%q printed %q, want the token's hash", recipe, out)
		}
	}
}
