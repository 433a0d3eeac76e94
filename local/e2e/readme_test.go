package e2e

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"smsflow/local/stack"
)

// The README's first curl example works as printed (but for the port: the
// tests run beside `make run`), and answers the fields the README prints.
func TestReadmeCurlExampleWorks(t *testing.T) {
	url, header, body := readmeTryIt(t)
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
	samePrintedFields(t, fenced(t, readmeSection(t, "## Try it"), "json", 0), r.Raw)
}

// samePrintedFields fails unless the JSON object the README prints has the
// fields of the real answer, no more and no fewer.
func samePrintedFields(t *testing.T, printed, real string) {
	t.Helper()
	var p, r map[string]any
	if err := json.Unmarshal([]byte(printed), &p); err != nil {
		t.Fatalf("the README prints %q: %v", printed, err)
	}
	if err := json.Unmarshal([]byte(real), &r); err != nil {
		t.Fatalf("the answer %q: %v", real, err)
	}
	pk, rk := slices.Sorted(maps.Keys(p)), slices.Sorted(maps.Keys(r))
	if !slices.Equal(pk, rk) {
		t.Errorf("the README prints the fields %v, the answer has %v", pk, rk)
	}
}

// readmeTryIt is the URL, headers and body of the curl under "## Try it".
func readmeTryIt(t *testing.T) (url string, header http.Header, body string) {
	t.Helper()
	block := fenced(t, readmeSection(t, "## Try it"), "sh", 0)
	args := shellWords(t, strings.ReplaceAll(block, "\\\n", " "))
	if len(args) == 0 || args[0] != "curl" {
		t.Fatalf("the example is not a curl command: %q", args)
	}
	header = http.Header{}
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
	return url, header, body
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
