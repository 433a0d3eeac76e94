package sls

import (
	"strings"
	"unicode/utf8"
)

// Presto refuses to compare a varchar with a number ("'>' cannot be applied
// to varchar, integer"); SQLite would compare them as text and answer
// '50' > '100'. checkComparisonTypes refuses the direct cases: a column
// compared with a literal of the other kind.

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true}

// prestoType names a column or literal token the way Presto's errors do;
// "" when the token is neither a known column nor a literal.
func prestoType(t sqlToken, columnTypes map[string]string) string {
	switch t.kind {
	case tkNumber:
		if strings.ContainsAny(t.text, ".eE") {
			return "double"
		}
		return "integer"
	case tkString:
		body := strings.ReplaceAll(t.text[1:len(t.text)-1], "''", "'")
		return "varchar(" + itoa(int64(utf8.RuneCountInString(body))) + ")"
	case tkIdent, tkQuotedIdent:
		switch columnTypes[strings.ToLower(t.text)] {
		case "INTEGER":
			return "bigint"
		case "REAL":
			return "double"
		case "TEXT":
			return "varchar"
		}
	}
	return ""
}

func isTextType(t string) bool { return strings.HasPrefix(t, "varchar") }

func checkComparisonTypes(q string, toks []sqlToken, columnTypes map[string]string) *apiError {
	for i, t := range toks {
		if t.kind != tkPunct || !comparisonOps[t.text] {
			continue
		}
		l, r := prevSolid(toks, i), nextSolid(toks, i)
		if l < 0 || r < 0 {
			continue
		}
		lt, rt := prestoType(toks[l], columnTypes), prestoType(toks[r], columnTypes)
		if lt == "" || rt == "" || isTextType(lt) == isTextType(rt) {
			continue
		}
		return errAt(q, t.pos, "'%s' cannot be applied to %s, %s", t.text, lt, rt)
	}
	return nil
}
