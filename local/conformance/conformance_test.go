package conformance

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	rowLine   = regexp.MustCompile(`^\| ([A-Z]+-\d+) \|`)
	heldTest  = regexp.MustCompile("`([a-z0-9]+\\.Test\\w+)`")
	citeLine  = regexp.MustCompile(`^// conformance: (.+)$`)
	rowIDForm = regexp.MustCompile(`^[A-Z]+-\d+$`)
)

func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// rows maps each row id of docs/conformance.md to the tests it names.
func rows(t *testing.T, root string) map[string][]string {
	b, err := os.ReadFile(filepath.Join(root, "docs", "conformance.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		m := rowLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("docs/conformance.md: row %s appears twice", m[1])
		}
		out[m[1]] = []string{}
		for _, h := range heldTest.FindAllStringSubmatch(line, -1) {
			out[m[1]] = append(out[m[1]], h[1])
		}
	}
	return out
}

// cites maps each test of the module (package.TestName) to the row ids in
// the `// conformance:` lines of its doc comment, and lists every id cited
// anywhere (on tests or on the checks they run) with where.
func cites(t *testing.T, root string) (tests map[string]map[string]bool, anywhere map[string]string) {
	tests, anywhere = map[string]map[string]bool{}, map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "dist" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				for _, id := range citedIDs(c.Text) {
					anywhere[id] = rel
				}
			}
		}
		pkg := strings.TrimSuffix(f.Name.Name, "_test")
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") {
				continue
			}
			ids := map[string]bool{}
			if fn.Doc != nil {
				for _, c := range fn.Doc.List {
					for _, id := range citedIDs(c.Text) {
						ids[id] = true
					}
				}
			}
			tests[pkg+"."+fn.Name.Name] = ids
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tests, anywhere
}

func citedIDs(comment string) []string {
	m := citeLine.FindStringSubmatch(comment)
	if m == nil {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(m[1], ",") {
		ids = append(ids, strings.TrimSpace(id))
	}
	return ids
}

// The table and the tests agree: a cited row exists, a test a row names
// exists and cites that row, so neither can drift from the other.
func TestTableAndTestsCiteEachOther(t *testing.T) {
	root := moduleRoot(t)
	table := rows(t, root)
	if len(table) < 20 {
		t.Fatalf("found %d rows in docs/conformance.md: the parser is broken", len(table))
	}
	tests, anywhere := cites(t, root)
	for id, where := range anywhere {
		if !rowIDForm.MatchString(id) {
			t.Errorf("%s: %q is not a row id (like FC-01)", where, id)
		} else if _, ok := table[id]; !ok {
			t.Errorf("%s cites %s, which docs/conformance.md does not have", where, id)
		}
	}
	for id, held := range table {
		for _, name := range held {
			ids, ok := tests[name]
			switch {
			case !ok:
				t.Errorf("%s names %s, which does not exist", id, name)
			case !ids[id]:
				t.Errorf("%s names %s, whose doc comment has no `// conformance: %s`", id, name, id)
			}
		}
	}
}

// A row mentioned in prose (a comment, a doc, a descriptor: "conformance
// RC-04") exists too, like a cited one: a renumbered or never-written row
// would otherwise leave a reference to nothing.
func TestEveryMentionedRowExists(t *testing.T) {
	root := moduleRoot(t)
	table := rows(t, root)
	prefixes := map[string]bool{}
	for id := range table {
		prefixes[id[:strings.Index(id, "-")]] = true
	}
	var alt []string
	for p := range prefixes {
		alt = append(alt, p)
	}
	mention := regexp.MustCompile(`\b(?:` + strings.Join(alt, "|") + `)-\d{2}\b`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "dist" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yaml", ".yml":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, id := range mention.FindAllString(string(b), -1) {
			if _, ok := table[id]; !ok {
				t.Errorf("%s mentions %s, which docs/conformance.md does not have", rel, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
