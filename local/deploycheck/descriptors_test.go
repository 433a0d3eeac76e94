package deploycheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

// repoRoot is the module root: the descriptors sit there.
func repoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			rootErr = err
			return
		}
		rootDir = filepath.Dir(strings.TrimSpace(string(out)))
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

// functionDirs lists functions/*: each is one deployable function.
func functionDirs(t testing.TB) []string {
	entries, err := os.ReadDir(filepath.Join(repoRoot(t), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// loadYAML decodes a file into plain maps and lists. ROS short-form tags
// (!Ref, !Sub, !GetAtt, ...) become their long form, so a template may use
// either.
func loadYAML(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseYAML(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func parseYAML(b []byte) (map[string]any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, err
	}
	if len(n.Content) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	v, err := decodeNode(n.Content[0])
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	return m, nil
}

// rosShortTags maps ROS's YAML short forms to their functions.
var rosShortTags = map[string]string{
	"!Ref": "Ref", "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not",
	"!And": "Fn::And", "!Or": "Fn::Or", "!Base64Encode": "Fn::Base64Encode", "!Split": "Fn::Split",
}

func decodeNode(n *yaml.Node) (any, error) {
	if fn, ok := rosShortTags[n.Tag]; ok {
		c := *n
		c.Tag = ""
		v, err := decodeNode(&c)
		if err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok && fn == "Fn::GetAtt" {
			v = strings.SplitN(s, ".", 2) // !GetAtt Res.Attr
		}
		return map[string]any{fn: v}, nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		return decodeNode(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // merge key
				base, err := decodeNode(v)
				if err != nil {
					return nil, err
				}
				if bm, ok := base.(map[string]any); ok {
					for bk, bv := range bm {
						if _, set := m[bk]; !set {
							m[bk] = bv
						}
					}
				}
				continue
			}
			dv, err := decodeNode(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = dv
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decodeNode(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// get walks a path of map keys; nil when any step is missing.
func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// sVars are s.yaml's vars; resolveS expands ${vars.x} in a string, leaving
// ${env(...)} and ${config(...)} to Serverless Devs. A value that is a
// whole ${vars.x} keeps the var's type (a list of vSwitch ids).
type sVars map[string]any

var varRef = regexp.MustCompile(`\$\{vars\.([A-Za-z0-9_]+)\}`)

func (vs sVars) resolve(v any) any {
	switch x := v.(type) {
	case string:
		if m := varRef.FindStringSubmatch(x); m != nil && m[0] == x {
			if val, ok := vs[m[1]]; ok {
				return vs.resolve(val)
			}
		}
		return varRef.ReplaceAllStringFunc(x, func(ref string) string {
			name := varRef.FindStringSubmatch(ref)[1]
			if val, ok := vs[name]; ok {
				return fmt.Sprint(val)
			}
			return ref
		})
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = vs.resolve(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = vs.resolve(e)
		}
		return out
	}
	return v
}

// sFunction is one fc3 resource of s.yaml with its vars expanded (Props)
// and as written (Raw).
type sFunction struct {
	Key       string
	Component string
	Actions   map[string]any
	Props     map[string]any
	Raw       map[string]any
}

func sFunctions(doc map[string]any) map[string]sFunction {
	vs := sVars{}
	if m, ok := doc["vars"].(map[string]any); ok {
		vs = m
	}
	out := map[string]sFunction{}
	res, _ := doc["resources"].(map[string]any)
	for key, r := range res {
		props, _ := vs.resolve(get(r, "props")).(map[string]any)
		actions, _ := get(r, "actions").(map[string]any)
		raw, _ := get(r, "props").(map[string]any)
		out[key] = sFunction{Key: key, Component: str(get(r, "component")), Actions: actions, Props: props, Raw: raw}
	}
	return out
}

// rosTemplate gives access to a ROS template's resources and parameters.
type rosTemplate struct {
	Resources  map[string]map[string]any
	Parameters map[string]map[string]any
}

func newROS(doc map[string]any) rosTemplate {
	t := rosTemplate{Resources: map[string]map[string]any{}, Parameters: map[string]map[string]any{}}
	for k, v := range asMap(doc["Resources"]) {
		t.Resources[k] = asMap(v)
	}
	for k, v := range asMap(doc["Parameters"]) {
		t.Parameters[k] = asMap(v)
	}
	return t
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func (t rosTemplate) ofType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range t.Resources {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9_:]+)\}`)

// eval resolves Ref and Fn::Sub with parameter defaults, for comparing
// names (role names, object names). Other functions are left as they are.
func (t rosTemplate) eval(v any) any {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return v
	}
	if ref, ok := m["Ref"].(string); ok {
		if p, ok := t.Parameters[ref]; ok {
			return p["Default"]
		}
		return v
	}
	if sub, ok := m["Fn::Sub"].(string); ok {
		return subRef.ReplaceAllStringFunc(sub, func(s string) string {
			name := subRef.FindStringSubmatch(s)[1]
			if p, ok := t.Parameters[name]; ok && p["Default"] != nil {
				return fmt.Sprint(p["Default"])
			}
			return s
		})
	}
	return v
}
