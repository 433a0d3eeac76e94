package sls

import "strings"

// Presto refuses a bare column that is neither grouped nor inside an
// aggregate; SQLite would quietly answer the value of an arbitrary row.
// checkGrouping restores the refusal for the select list.

var aggregateFunctions = map[string]bool{
	"count": true, "count_if": true, "sum": true, "avg": true, "min": true, "max": true, "approx_percentile": true,
}

var sqlKeywords = map[string]bool{
	"CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "AS": true, "AND": true, "OR": true,
	"NOT": true, "IS": true, "NULL": true, "LIKE": true, "IN": true, "BETWEEN": true, "DISTINCT": true,
	"TRUE": true, "FALSE": true, "CAST": true, "ALL": true, "ASC": true, "DESC": true, "ESCAPE": true,
}

type selectItem struct {
	alias       string
	columns     []sqlToken // column references outside aggregate calls
	hasAggCall  bool
	ordinalText string
}

func checkGrouping(q string, toks []sqlToken, first int) *apiError {
	items := selectItems(toks, first)
	groupIdents, groupOrdinals, hasGroupBy := groupByTerms(toks)
	aggregated := hasGroupBy
	for _, it := range items {
		aggregated = aggregated || it.hasAggCall
	}
	if !aggregated {
		return nil
	}
	for _, it := range items {
		if groupIdents[strings.ToLower(it.alias)] || groupOrdinals[it.ordinalText] {
			continue
		}
		for _, c := range it.columns {
			if !groupIdents[strings.ToLower(c.text)] {
				return errAt(q, c.pos, "Column '%s' not in GROUP BY clause;please add the column in the index attribute", c.text)
			}
		}
	}
	return nil
}

// selectItems splits the select list (SELECT … up to FROM or a clause) at
// top-level commas.
func selectItems(toks []sqlToken, first int) []selectItem {
	var items []selectItem
	cur := selectItem{}
	aggUntilDepth := -1 // inside an aggregate call opened at this depth
	for i := first + 1; i < len(toks); i++ {
		t := toks[i]
		if t.depth == 0 && t.kind == tkIdent && (t.is("FROM") || clauseStarts[strings.ToUpper(t.text)]) {
			break
		}
		if aggUntilDepth >= 0 {
			if t.kind == tkPunct && t.text == ")" && t.depth == aggUntilDepth {
				aggUntilDepth = -1
			}
			continue
		}
		if t.depth == 0 && t.kind == tkPunct && t.text == "," {
			items = append(items, cur)
			cur = selectItem{}
			continue
		}
		next := nextSolid(toks, i)
		prev := prevSolid(toks, i)
		isCall := next >= 0 && toks[next].kind == tkPunct && toks[next].text == "("
		afterAS := prev >= 0 && toks[prev].is("AS")
		switch {
		case t.kind == tkIdent && isCall && aggregateFunctions[strings.ToLower(t.text)]:
			cur.hasAggCall = true
			aggUntilDepth = t.depth
		case afterAS && (t.kind == tkIdent || t.kind == tkQuotedIdent):
			if t.depth == 0 {
				cur.alias = t.text
			}
		case t.kind == tkQuotedIdent || (t.kind == tkIdent && !isCall && !sqlKeywords[strings.ToUpper(t.text)]):
			cur.columns = append(cur.columns, t)
		}
	}
	items = append(items, cur)
	for i := range items {
		items[i].ordinalText = itoa(int64(i + 1))
	}
	return items
}

// groupByTerms collects the identifiers and ordinals of a top-level GROUP BY.
func groupByTerms(toks []sqlToken) (idents, ordinals map[string]bool, present bool) {
	idents, ordinals = map[string]bool{}, map[string]bool{}
	start := -1
	for i, t := range toks {
		if t.depth == 0 && t.is("GROUP") {
			if next := nextSolid(toks, i); next >= 0 && toks[next].is("BY") {
				start = next + 1
			}
		}
	}
	if start < 0 {
		return idents, ordinals, false
	}
	for j := start; j < len(toks); j++ {
		t := toks[j]
		if t.depth == 0 && (t.is("HAVING") || t.is("ORDER") || t.is("LIMIT")) {
			break
		}
		switch t.kind {
		case tkIdent, tkQuotedIdent:
			idents[strings.ToLower(t.text)] = true
		case tkNumber:
			if t.depth == 0 {
				ordinals[t.text] = true
			}
		}
	}
	return idents, ordinals, true
}

func prevSolid(toks []sqlToken, i int) int {
	for j := i - 1; j >= 0; j-- {
		if toks[j].kind != tkSpace {
			return j
		}
	}
	return -1
}
