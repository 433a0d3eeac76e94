package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// envKeys lists every variable declared by an `env` tag in this package.
func envKeys(t *testing.T) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range pkgs {
		for _, f := range p.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				field, ok := n.(*ast.Field)
				if !ok || field.Tag == nil {
					return true
				}
				tag, _ := strconv.Unquote(field.Tag.Value)
				if key, _, _ := strings.Cut(reflect.StructTag(tag).Get("env"), ","); key != "" {
					keys = append(keys, key)
				}
				return true
			})
		}
	}
	return keys
}

// The README's configuration table documents every variable the code reads.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	keys := envKeys(t)
	if len(keys) < 20 {
		t.Fatalf("found only %d variables: the scan is broken", len(keys))
	}
	for _, k := range keys {
		if !strings.Contains(string(readme), "`"+k+"`") {
			t.Errorf("README.md does not document %s", k)
		}
	}
}

// Every variable has a maximum length (`max` tag): the deployment checks
// add them up against FC's 4 KB per function, and Load enforces them.
// conformance: DEP-01
func TestEveryVariableHasAMaximum(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Send](), reflect.TypeFor[Dispatch](),
		reflect.TypeFor[Receipts](), reflect.TypeFor[Alert]()} {
		walkEnv(typ, func(f reflect.StructField, key string) {
			if n, err := strconv.Atoi(f.Tag.Get("max")); err != nil || n < 1 {
				t.Errorf("%s (%s.%s) has no max tag", key, typ.Name(), f.Name)
			}
		})
	}
}

// conformance: DEP-01
func TestLoadRefusesAValueOverItsMaximum(t *testing.T) {
	t.Setenv("SMSFLOW_SLS_PROJECT", strings.Repeat("p", 64))
	t.Setenv("SMSFLOW_TEMPLATE_KINDS", strings.Repeat("k", 1025))
	_, err := Load[Send]()
	for _, want := range []string{"SMSFLOW_SLS_PROJECT is 64 bytes long, at most 63", "SMSFLOW_TEMPLATE_KINDS is 1025 bytes long, at most 1024"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	t.Setenv("SMSFLOW_SLS_PROJECT", strings.Repeat("p", 63))
	t.Setenv("SMSFLOW_TEMPLATE_KINDS", strings.Repeat("k", 1024))
	if _, err := Load[Send](); err != nil && strings.Contains(err.Error(), "bytes long") {
		t.Errorf("values at their maximum refused: %v", err)
	}
}

func walkEnv(t reflect.Type, fn func(reflect.StructField, string)) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			walkEnv(f.Type, fn)
			continue
		}
		if key, _, _ := strings.Cut(f.Tag.Get("env"), ","); key != "" {
			fn(f, key)
		}
	}
}
