package sls

import (
	"path"
	"strconv"
	"strings"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// logRecord is one stored log as search and SQL see it. idx is the index
// config that was current when the log arrived (nil: not indexed).
type logRecord struct {
	time   int64
	topic  string
	source string
	fields [][2]string
	values map[string]string // last value of each key
	idx    *slssdk.Index
}

// defaultTokens is SLS's default delimiter set for text indexes.
const defaultTokens = ", '\";=()[]{}?@&<>/:\n\t\r"

func delimiterSet(tokens []string) map[rune]bool {
	set := map[rune]bool{}
	if len(tokens) == 0 {
		tokens = []string{defaultTokens}
	}
	for _, t := range tokens {
		for _, r := range t {
			set[r] = true
		}
	}
	return set
}

func splitTokens(s string, delims map[rune]bool, caseSensitive bool) []string {
	if !caseSensitive {
		s = strings.ToLower(s)
	}
	return strings.FieldsFunc(s, func(r rune) bool { return delims[r] })
}

// textMatches reports whether term (a word, a wildcard word or a phrase)
// occurs in value as consecutive tokens, the way a text index matches.
func textMatches(value, term string, tokens []string, caseSensitive, wildcard bool) bool {
	delims := delimiterSet(tokens)
	have := splitTokens(value, delims, caseSensitive)
	want := splitTokens(term, delims, caseSensitive)
	if len(want) == 0 {
		return false
	}
	for start := 0; start+len(want) <= len(have); start++ {
		ok := true
		for j, w := range want {
			h := have[start+j]
			if wildcard && strings.ContainsAny(w, "*?") {
				if m, _ := path.Match(w, h); !m {
					ok = false
					break
				}
			} else if h != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (rec *logRecord) matches(n searchNode) bool {
	switch n := n.(type) {
	case matchAll:
		return true
	case andNode:
		return rec.matches(n.left) && rec.matches(n.right)
	case orNode:
		return rec.matches(n.left) || rec.matches(n.right)
	case notNode:
		return !rec.matches(n.inner)
	case fieldTerm:
		return rec.matchField(n)
	case fieldRange:
		return rec.matchRange(n)
	case fullText:
		return rec.matchFullText(n)
	}
	return false
}

// reservedValue answers __topic__/__source__, which SLS always indexes.
func (rec *logRecord) reservedValue(key string) (string, bool) {
	switch key {
	case "__topic__":
		return rec.topic, true
	case "__source__":
		return rec.source, true
	}
	return "", false
}

func (rec *logRecord) matchField(n fieldTerm) bool {
	if v, ok := rec.reservedValue(n.key); ok {
		return textMatches(v, n.value, nil, false, !n.phrase)
	}
	if rec.idx == nil {
		return false
	}
	key, indexed := rec.idx.Keys[n.key]
	value, present := rec.values[n.key]
	if !indexed || !present {
		return false
	}
	if n.value == "*" && !n.phrase {
		return true
	}
	switch key.Type {
	case "long", "double":
		a, err1 := strconv.ParseFloat(strings.TrimSpace(value), 64)
		b, err2 := strconv.ParseFloat(n.value, 64)
		return err1 == nil && err2 == nil && a == b
	}
	return textMatches(value, n.value, key.Token, key.CaseSensitive, !n.phrase)
}

func (rec *logRecord) matchRange(n fieldRange) bool {
	if rec.idx == nil {
		return false
	}
	key, indexed := rec.idx.Keys[n.key]
	value, present := rec.values[n.key]
	if !indexed || !present || (key.Type != "long" && key.Type != "double") {
		return false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return false
	}
	if n.isInterval {
		return v >= n.lo && v <= n.hi
	}
	switch n.op {
	case ">":
		return v > n.value
	case ">=":
		return v >= n.value
	case "<":
		return v < n.value
	case "<=":
		return v <= n.value
	}
	return v == n.value
}

func (rec *logRecord) matchFullText(n fullText) bool {
	if rec.idx == nil || rec.idx.Line == nil {
		return false
	}
	line := rec.idx.Line
	include := map[string]bool{}
	for _, k := range line.IncludeKeys {
		include[k] = true
	}
	exclude := map[string]bool{}
	for _, k := range line.ExcludeKeys {
		exclude[k] = true
	}
	for _, kv := range rec.fields {
		if strings.HasPrefix(kv[0], "__tag__:") || exclude[kv[0]] || (len(include) > 0 && !include[kv[0]]) {
			continue
		}
		if textMatches(kv[1], n.value, line.Token, line.CaseSensitive, !n.phrase) {
			return true
		}
	}
	return false
}
