package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"smsflow/local/stack"
)

// The README's first curl example works as printed (but for the port: the
// tests run beside `make run`).
func TestReadmeCurlExampleWorks(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Try it")
	_, block, ok2 := strings.Cut(after, "```sh\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no sh block under '## Try it'")
	}
	args := shellWords(t, strings.ReplaceAll(block, "\\\n", " "))
	if len(args) == 0 || args[0] != "curl" {
		t.Fatalf("the example is not a curl command: %q", args)
	}
	var url, body string
	header := http.Header{}
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-H":
			k, v, _ := strings.Cut(args[i+1], ": ")
			header.Set(k, v)
			i++
		case a == "-d":
			body = args[i+1]
			i++
		case strings.HasPrefix(a, "http://"):
			url = a
		}
	}
	want := "http://127.0.0.1:" + itoa(stack.DefaultGatewayPort)
	if !strings.HasPrefix(url, want) {
		t.Fatalf("the example calls %q, not the documented gateway %s", url, want)
	}
	shared.Dysms.Reset()
	r := send(t, shared, header.Get("Content-Type"), body, "Authorization", header.Get("Authorization"))
	if r.Status != 200 || r.str("status") != "accepted" || r.str("biz_id") == "" {
		t.Fatalf("the README's example answered %d %s", r.Status, r.Raw)
	}
	if path := strings.TrimPrefix(url, want); path != "/v1/messages" {
		t.Fatalf("the example posts to %q", path)
	}
}

// shellWords splits the way sh does for what the README uses: spaces, and
// single-quoted words.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\n' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatal("unbalanced quote in the README's example")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
