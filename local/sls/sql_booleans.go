package sls

import "strings"

// SQLite has no boolean type: `status = 'failed'` comes back as 1 or 0,
// where SLS (Presto) answers "true" or "false". booleanSelectItems tells,
// for each item of the SELECT list, whether its value is a predicate, so
// the answer can say true/false like SLS rather than a silently different 1/0.

// predicateWords make an expression a predicate, as comparisonOps (sql_types.go) do.
var predicateWords = map[string]bool{"AND": true, "OR": true, "NOT": true, "IN": true, "LIKE": true, "IS": true, "BETWEEN": true}

// booleanSelectItems answers one flag per SELECT item (nil for SELECT *).
func booleanSelectItems(toks []sqlToken, selectAt int) []bool {
	var items [][]sqlToken
	var cur []sqlToken
	for i := selectAt + 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tkSpace {
			continue
		}
		if t.depth == 0 && t.kind == tkIdent && (clauseStarts[strings.ToUpper(t.text)] || t.is("FROM")) {
			break
		}
		if t.depth == 0 && t.kind == tkPunct && t.text == "," {
			items, cur = append(items, cur), nil
			continue
		}
		if len(items) == 0 && len(cur) == 0 && (t.is("DISTINCT") || t.is("ALL")) {
			continue
		}
		cur = append(cur, t)
	}
	items = append(items, cur)
	out := make([]bool, len(items))
	for i, item := range items {
		if len(item) == 1 && item[0].text == "*" {
			return nil
		}
		out[i] = isPredicate(stripAlias(item))
	}
	return out
}

// stripAlias drops a trailing "AS name" or bare alias.
func stripAlias(item []sqlToken) []sqlToken {
	n := len(item)
	if n >= 2 && item[n-2].is("AS") {
		return item[:n-2]
	}
	if n >= 2 && item[n-1].depth == 0 && (item[n-1].kind == tkIdent || item[n-1].kind == tkQuotedIdent) &&
		!item[n-1].is("END") && item[n-2].kind != tkPunct {
		return item[:n-1]
	}
	return item
}

// isPredicate looks at the item's outermost level (inside parentheses that
// wrap all of it), outside CASE ... END, for a comparison or a logical word.
func isPredicate(expr []sqlToken) bool {
	for len(expr) >= 2 && expr[0].text == "(" && expr[len(expr)-1].text == ")" && wrapsAll(expr) {
		expr = expr[1 : len(expr)-1]
	}
	if len(expr) == 0 {
		return false
	}
	base := expr[0].depth
	cases := 0
	for _, t := range expr {
		if t.depth != base {
			continue
		}
		switch {
		case t.is("CASE"):
			cases++
		case t.is("END"):
			cases--
		case cases > 0:
		case t.kind == tkPunct && comparisonOps[t.text]:
			return true
		case t.kind == tkIdent && predicateWords[strings.ToUpper(t.text)]:
			return true
		}
	}
	return false
}

// wrapsAll reports whether the first "(" closes at the last token.
func wrapsAll(expr []sqlToken) bool {
	open := expr[0].depth
	for _, t := range expr[1 : len(expr)-1] {
		if t.depth <= open {
			return false
		}
	}
	return true
}
