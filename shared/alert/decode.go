package alert

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeFields decodes a YAML mapping onto out (a pointer to struct) one key
// at a time. Going key by key lets every error name the field it is about,
// rejects unknown keys (typos such as `treshold` must not pass silently),
// and lets an override file change single fields of a default rule.
func decodeFields(n *yaml.Node, out any, what string) []error {
	if n.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: must be a mapping (line %d)", what, n.Line)}
	}
	v := reflect.ValueOf(out).Elem()
	fields := yamlFieldIndex(v.Type())
	var errs []error
	seen := map[string]int{} // key -> line: a field given twice is a mistake, not "the last one wins"
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[key.Value]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown field %q (line %d)", what, key.Value, key.Line))
			continue
		}
		if line, dup := seen[key.Value]; dup {
			errs = append(errs, fmt.Errorf("%s: field %s: given twice (lines %d and %d)", what, key.Value, line, key.Line))
			continue
		}
		seen[key.Value] = key.Line
		// Decode into a fresh value so a failed decode leaves the field as it was.
		fresh := reflect.New(v.Field(idx).Type())
		if err := val.Decode(fresh.Interface()); err != nil {
			errs = append(errs, fmt.Errorf("%s: field %s: %s (line %d)", what, key.Value, yamlReason(err), val.Line))
			continue
		}
		v.Field(idx).Set(fresh.Elem())
	}
	return errs
}

// yamlFieldIndex maps yaml tag names to struct field indexes.
func yamlFieldIndex(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag != "" && tag != "-" {
			m[tag] = i
		}
	}
	return m
}

// yamlReason strips yaml.v3's "unmarshal errors / line N" framing: the
// caller already says which field and line.
func yamlReason(err error) string {
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "line ") {
			msg = msg[i+2:]
		}
		return msg
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// mappingValue returns the scalar value of key in a mapping node, or "".
func mappingValue(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}
