package deploycheck

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// What a function's code does, found by reading it: the packages main
// depends on inside the module, parsed, and walked from main (and every
// init and package-level initialiser) through the functions and methods it
// can reach. Reachability is by name, so it over-approximates (an
// interface call reaches every method of that name): an SDK call counts if
// any reachable code makes it.
type functionCode struct {
	Name string
	// Configs are the X of every reachable config.Load[config.X]().
	Configs []string
	// Calls are the selector names of reachable calls: x.Name(...).
	Calls map[string]bool
	// LogKeys are the literal keys of reachable slog.String("k", ...)-style
	// attributes and obs.Field{"k", ...} literals (constants resolved).
	LogKeys map[string]bool
	// GetenvKeys are literal keys of reachable os.Getenv/LookupEnv calls.
	GetenvKeys map[string]bool
}

type goPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
}

type parsedFile struct {
	pkg     string
	file    *ast.File
	imports map[string]string // local name -> import path
}

type program struct {
	files   []*parsedFile
	funcs   map[string][]funcRef // "pkg.Name" -> top-level functions
	methods map[string][]funcRef // "Name" -> methods of any type
	consts  map[string]string    // "pkg.Name" -> string constant value
}

type funcRef struct {
	decl *ast.FuncDecl
	file *parsedFile
}

var (
	codeMu    sync.Mutex
	codeCache = map[string]*functionCode{}
)

// analyse returns what functions/<name> does, cached per test binary.
func analyse(t testing.TB, name string) *functionCode {
	t.Helper()
	codeMu.Lock()
	defer codeMu.Unlock()
	if fc, ok := codeCache[name]; ok {
		return fc
	}
	prog, err := load(repoRoot(t), "./functions/"+name)
	if err != nil {
		t.Fatalf("reading functions/%s: %v", name, err)
	}
	fc := prog.walk(name)
	codeCache[name] = fc
	return fc
}

func load(root, pattern string) (*program, error) {
	cmd := exec.Command("go", "list", "-deps", "-json", pattern)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("go list %s: %v\n%s", pattern, err, ee.Stderr)
		}
		return nil, err
	}
	p := &program{funcs: map[string][]funcRef{}, methods: map[string][]funcRef{}, consts: map[string]string{}}
	fset := token.NewFileSet()
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var gp goPackage
		if err := dec.Decode(&gp); err != nil {
			return nil, err
		}
		if gp.ImportPath != "smsflow" && !strings.HasPrefix(gp.ImportPath, "smsflow/") {
			continue // SDKs are leaves: their calls are what we look for
		}
		for _, f := range gp.GoFiles {
			af, err := parser.ParseFile(fset, filepath.Join(gp.Dir, f), nil, 0)
			if err != nil {
				return nil, err
			}
			p.add(gp.ImportPath, af)
		}
	}
	return p, nil
}

func (p *program) add(pkg string, f *ast.File) {
	pf := &parsedFile{pkg: pkg, file: f, imports: map[string]string{}}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		local := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			local = im.Name.Name
		} else if strings.HasPrefix(local, "v") && len(local) <= 3 { // .../dysmsapi-20170525/v3/client style
			local = path[strings.LastIndex(strings.TrimSuffix(path, "/"+local), "/")+1:]
		}
		pf.imports[local] = path
	}
	p.files = append(p.files, pf)
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				p.funcs[pkg+"."+d.Name.Name] = append(p.funcs[pkg+"."+d.Name.Name], funcRef{d, pf})
			} else {
				p.methods[d.Name.Name] = append(p.methods[d.Name.Name], funcRef{d, pf})
			}
		case *ast.GenDecl:
			if d.Tok != token.CONST {
				continue
			}
			for _, s := range d.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							p.consts[pkg+"."+n.Name] = v
						}
					}
				}
			}
		}
	}
}

// slogAttrs are the slog constructors whose first argument is a key.
var slogAttrs = map[string]bool{"String": true, "Int": true, "Int64": true, "Uint64": true,
	"Float64": true, "Bool": true, "Time": true, "Duration": true, "Any": true}

func (p *program) walk(name string) *functionCode {
	fc := &functionCode{Name: name, Calls: map[string]bool{}, LogKeys: map[string]bool{}, GetenvKeys: map[string]bool{}}
	seen := map[*ast.FuncDecl]bool{}
	var queue []funcRef
	push := func(refs []funcRef) {
		for _, r := range refs {
			if !seen[r.decl] {
				seen[r.decl] = true
				queue = append(queue, r)
			}
		}
	}
	configs := map[string]bool{}
	// recv is the receiver of the method being visited: a call on it
	// reaches that type's method, not every method of that name in the
	// program (which made a "send" on an exporter reach sms.Sender.send).
	var recv receiver
	var visit func(pf *parsedFile, n ast.Node)
	visit = func(pf *parsedFile, root ast.Node) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok {
					if path, ok := pf.imports[id.Name]; ok {
						push(p.funcs[path+"."+n.Sel.Name])
						return false
					}
					if recv.name != "" && id.Name == recv.name {
						if own := p.methodsOf(recv, n.Sel.Name); len(own) > 0 {
							push(own)
							return false
						}
						// Not declared on the type itself: promoted from an
						// embedded field, so any method of that name may serve.
					}
				}
				push(p.methods[n.Sel.Name])
				visit(pf, n.X)
				return false
			case *ast.Ident:
				push(p.funcs[pf.pkg+"."+n.Name])
			case *ast.IndexExpr:
				if p.selects(pf, n.X, "smsflow/shared/config", "Load") {
					if x := p.typeName(pf, n.Index, "smsflow/shared/config"); x != "" {
						configs[x] = true
					}
				}
			case *ast.CallExpr:
				p.noteCall(pf, n, fc)
			case *ast.CompositeLit:
				// obs.Field{Key, Value}: how the obs handler writes the
				// fields every event carries (time, level, trace, FC ids).
				if p.selects(pf, n.Type, "smsflow/shared/obs", "Field") && len(n.Elts) > 0 {
					if k := p.stringValue(pf, n.Elts[0]); k != "" {
						fc.LogKeys[k] = true
					}
				}
			}
			return true
		})
	}
	for _, pf := range p.files {
		for _, d := range pf.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && (d.Name.Name == "init" || (d.Name.Name == "main" && pf.pkg == "smsflow/functions/"+name)) {
					push([]funcRef{{d, pf}})
				}
			case *ast.GenDecl:
				if d.Tok == token.VAR {
					visit(pf, d) // package-level initialisers run at start
				}
			}
		}
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if r.decl.Body != nil {
			recv = receiverOf(r)
			visit(r.file, r.decl.Body)
		}
	}
	for c := range configs {
		fc.Configs = append(fc.Configs, c)
	}
	sort.Strings(fc.Configs)
	return fc
}

// receiver is a method's receiver: its variable, its type and package.
type receiver struct{ name, typ, pkg string }

func receiverOf(r funcRef) receiver {
	if r.decl.Recv == nil || len(r.decl.Recv.List) == 0 || len(r.decl.Recv.List[0].Names) == 0 {
		return receiver{}
	}
	return receiver{name: r.decl.Recv.List[0].Names[0].Name, typ: recvTypeName(r.decl), pkg: r.file.pkg}
}

// recvTypeName is T of a method declared on T, *T or T[...].
func recvTypeName(d *ast.FuncDecl) string {
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// methodsOf is recv's type's own methods called name.
func (p *program) methodsOf(recv receiver, name string) []funcRef {
	var own []funcRef
	for _, m := range p.methods[name] {
		if m.file.pkg == recv.pkg && recvTypeName(m.decl) == recv.typ {
			own = append(own, m)
		}
	}
	return own
}

func (p *program) noteCall(pf *parsedFile, call *ast.CallExpr, fc *functionCode) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	fc.Calls[sel.Sel.Name] = true
	if len(call.Args) == 0 {
		return
	}
	// The obs handler writes the fields every event carries (trace ids, time,
	// level) through its arena's add(key, value), not through slog attributes.
	if pf.pkg == "smsflow/shared/obs" && sel.Sel.Name == "add" && len(call.Args) == 2 {
		if k := p.stringValue(pf, call.Args[0]); k != "" {
			fc.LogKeys[k] = true
		}
	}
	if p.selects(pf, sel, "log/slog", sel.Sel.Name) && slogAttrs[sel.Sel.Name] {
		if k := p.stringValue(pf, call.Args[0]); k != "" {
			fc.LogKeys[k] = true
		}
	}
	if p.selects(pf, sel, "os", "Getenv") || p.selects(pf, sel, "os", "LookupEnv") {
		if k := p.stringValue(pf, call.Args[0]); k != "" {
			fc.GetenvKeys[k] = true
		}
	}
}

// selects reports whether e is pkgPath.name as written in pf.
func (p *program) selects(pf *parsedFile, e ast.Expr, pkgPath, name string) bool {
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	switch e := e.(type) {
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		return ok && pf.imports[id.Name] == pkgPath && e.Sel.Name == name
	case *ast.Ident:
		return pf.pkg == pkgPath && e.Name == name
	}
	return false
}

func (p *program) typeName(pf *parsedFile, e ast.Expr, pkgPath string) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok && pf.imports[id.Name] == pkgPath {
			return e.Sel.Name
		}
	case *ast.Ident:
		if pf.pkg == pkgPath {
			return e.Name
		}
	}
	return ""
}

// stringValue is a string literal or a string constant of the module.
func (p *program) stringValue(pf *parsedFile, e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, _ := strconv.Unquote(e.Value)
			return v
		}
	case *ast.Ident:
		return p.consts[pf.pkg+"."+e.Name]
	case *ast.SelectorExpr:
		if id, ok := e.X.(*ast.Ident); ok {
			return p.consts[pf.imports[id.Name]+"."+e.Sel.Name]
		}
	}
	return ""
}

// envVar is one variable a config struct reads.
type envVar struct {
	Name       string
	Secret     bool
	HasDefault bool
	Default    string // the envDefault tag's value
	Field      string // Type.Field, for messages
	// Max is the value's longest length in bytes (the field's max tag;
	// 0 when it has none).
	Max int
}

// configEnv lists the variables config.<typ> reads: its fields' env tags,
// through embedded structs, read from shared/config's source.
func configEnv(t testing.TB, typ string) []envVar {
	t.Helper()
	structs := configStructs(t)
	var out []envVar
	var walk func(name string, depth int)
	walk = func(name string, depth int) {
		st, ok := structs[name]
		if !ok || depth > 10 {
			t.Fatalf("shared/config has no struct %s", name)
		}
		for _, f := range st.Fields.List {
			if len(f.Names) == 0 { // embedded
				if id, ok := f.Type.(*ast.Ident); ok {
					walk(id.Name, depth+1)
				}
				continue
			}
			if f.Tag == nil {
				continue
			}
			raw, _ := strconv.Unquote(f.Tag.Value)
			tag := reflect.StructTag(raw)
			key, _, _ := strings.Cut(tag.Get("env"), ",")
			if key == "" {
				continue
			}
			def, hasDefault := tag.Lookup("envDefault")
			limit, _ := strconv.Atoi(tag.Get("max"))
			out = append(out, envVar{Name: key, Secret: tag.Get("secret") == "true", HasDefault: hasDefault, Default: def,
				Field: name + "." + f.Names[0].Name, Max: limit})
		}
	}
	walk(typ, 0)
	return out
}

var (
	structsOnce sync.Once
	structsMap  map[string]*ast.StructType
)

func configStructs(t testing.TB) map[string]*ast.StructType {
	structsOnce.Do(func() {
		structsMap = map[string]*ast.StructType{}
		files, _ := filepath.Glob(filepath.Join(repoRoot(t), "shared", "config", "*.go"))
		fset := token.NewFileSet()
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structsMap[ts.Name.Name] = st
					}
				}
				return true
			})
		}
	})
	return structsMap
}

// functionEnv is every variable functions/<name> reads through its
// config structs, by name.
func functionEnv(t testing.TB, name string) map[string]envVar {
	t.Helper()
	fc := analyse(t, name)
	if len(fc.Configs) == 0 {
		t.Fatalf("functions/%s: no config.Load[config.X]() reachable from main: cannot tell which variables it reads", name)
	}
	out := map[string]envVar{}
	for _, c := range fc.Configs {
		for _, v := range configEnv(t, c) {
			out[v.Name] = v
		}
	}
	return out
}
