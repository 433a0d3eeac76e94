package sls

import (
	"fmt"
	"strings"
)

// defaultSQLLimit is how many rows SLS returns for SQL without LIMIT.
const defaultSQLLimit = 100

// sqlFunctions lists the SLS (Presto) functions the emulator runs, mapped to
// the SQLite name that implements them with the same semantics. Anything
// else is refused rather than risk SQLite's different meaning.
var sqlFunctions = map[string]string{
	"count": "count", "count_if": "count_if", "sum": "sum", "avg": "avg", "min": "min", "max": "max",
	"approx_percentile": "approx_percentile", "round": "sls_round", "nullif": "nullif",
	"coalesce": "coalesce", "date_trunc": "date_trunc", "abs": "abs", "lower": "lower",
	"upper": "upper", "length": "length", "if": "iif", "greatest": "max", "least": "min",
	"strpos": "instr", "substr": "substr", "replace": "replace", "trim": "trim",
	"ltrim": "ltrim", "rtrim": "rtrim", "ceil": "ceil", "ceiling": "ceil", "floor": "floor",
	"concat": "concat",
}

// keywordsBeforeParen are words that may precede "(" without being a call.
var keywordsBeforeParen = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "CAST": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "SELECT": true, "FROM": true, "WHERE": true, "BY": true, "AS": true,
	"IS": true, "LIKE": true, "BETWEEN": true, "HAVING": true, "DISTINCT": true, "ALL": true,
	"LIMIT": true, "ON": true, "END": true, "ASC": true, "DESC": true,
}

// unsupportedKeywords are valid SLS SQL the emulator does not run.
var unsupportedKeywords = map[string]bool{
	"JOIN": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "WITH": true, "OVER": true,
	"WINDOW": true, "VALUES": true, "UNNEST": true, "CROSS": true,
	"INSERT": true, "UPDATE": true, "DELETE": true, "CREATE": true, "DROP": true, "ALTER": true,
	"PRAGMA": true, "ATTACH": true, "DETACH": true,
	// SQLite-only syntax that Presto would refuse or read differently.
	"GLOB": true, "REGEXP": true, "MATCH": true, "ISNULL": true, "NOTNULL": true, "COLLATE": true,
	"CURRENT_TIMESTAMP": true, "CURRENT_DATE": true, "CURRENT_TIME": true,
	// Presto types and constructors the emulator has no equivalent for.
	"ARRAY": true, "MAP": true, "INTERVAL": true, "TRY_CAST": true,
}

// sqliteHiddenColumns exist on every SQLite table but not in SLS.
var sqliteHiddenColumns = map[string]bool{"ROWID": true, "_ROWID_": true, "OID": true}

var clauseStarts = map[string]bool{"WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true}

// rewrittenSQL is a SLS SELECT turned into a SQLite statement over table.
type rewrittenSQL struct {
	text    string
	aliases map[string]bool // names given with AS, kept as result keys
	// booleans flags the SELECT items that are predicates (nil: SELECT *).
	booleans []bool
}

// rewriteSQL validates the SQL part of a query and rewrites it for SQLite:
// FROM log/<logstore> (or no FROM) becomes FROM table, "quoted" identifiers
// become [bracketed] ones (SQLite would read an unknown "x" as a string),
// functions are mapped, and LIMIT 100 is added when there is none.
func rewriteSQL(q, logstore, table string, columnTypes map[string]string) (*rewrittenSQL, *apiError) {
	q = strings.TrimSpace(q)
	q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	toks, err := tokenizeSQL(q)
	if err != nil {
		return nil, errQuery("%v", err)
	}
	first := nextSolid(toks, -1)
	if first < 0 || !toks[first].is("SELECT") {
		return nil, errAt(q, 0, "the local SLS emulator runs SELECT statements only")
	}
	if e := refuseUnsupported(q, toks, first); e != nil {
		return nil, e
	}
	if e := checkGrouping(q, toks, first); e != nil {
		return nil, e
	}
	if e := checkComparisonTypes(q, toks, columnTypes); e != nil {
		return nil, e
	}
	out := &rewrittenSQL{aliases: map[string]bool{}, booleans: booleanSelectItems(toks, first)}
	hasFrom, hasLimit := false, false
	insertAt := -1 // token index before which "FROM table" goes when absent
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	skip := map[int]bool{} // tokens already rewritten (the FROM target)
	for i, t := range toks {
		if skip[i] {
			continue
		}
		switch t.kind {
		case tkPunct:
			if t.text == ";" {
				return nil, errAt(q, t.pos, "only one statement is allowed")
			}
		case tkQuotedIdent:
			if strings.ContainsAny(t.text, "[]") {
				return nil, errAt(q, t.pos, "identifier %q is not supported", t.text)
			}
			parts[i] = "[" + t.text + "]"
		case tkIdent:
			upper := strings.ToUpper(t.text)
			next := nextSolid(toks, i)
			switch {
			case upper == "AS" && next >= 0 && (toks[next].kind == tkIdent || toks[next].kind == tkQuotedIdent):
				out.aliases[toks[next].text] = true
			case next >= 0 && toks[next].text == "(" && toks[next].kind == tkPunct && !keywordsBeforeParen[upper]:
				name, ok := sqlFunctions[strings.ToLower(t.text)]
				if !ok {
					return nil, errAt(q, t.pos, "Function %s not registered", strings.ToLower(t.text))
				}
				parts[i] = name
			case t.depth == 0 && upper == "FROM":
				hasFrom = true
				if e := checkFromTarget(q, toks, i, logstore); e != nil {
					return nil, e
				}
				parts[next] = table
				skip[next] = true
			case t.depth == 0 && upper == "LIMIT":
				hasLimit = true
			}
			if t.depth == 0 && clauseStarts[upper] && insertAt < 0 {
				insertAt = i
			}
		}
	}
	nullsLast(toks, parts)
	var b strings.Builder
	for i, p := range parts {
		if !hasFrom && i == insertAt {
			b.WriteString(" FROM " + table + " ")
		}
		b.WriteString(p)
	}
	if !hasFrom && insertAt < 0 {
		b.WriteString(" FROM " + table)
	}
	if !hasLimit {
		fmt.Fprintf(&b, " LIMIT %d", defaultSQLLimit)
	}
	out.text = b.String()
	return out, nil
}

// checkFromTarget accepts FROM log or FROM <logstore>, then a clause or end.
func checkFromTarget(q string, toks []sqlToken, from int, logstore string) *apiError {
	target := nextSolid(toks, from)
	if target < 0 {
		return errAt(q, toks[from].pos, "FROM needs a table")
	}
	t := toks[target]
	if (t.kind != tkIdent && t.kind != tkQuotedIdent) || (t.text != "log" && t.text != logstore) {
		return errAt(q, t.pos, "Table '%s' does not exist (use log or the logstore name)", t.text)
	}
	after := nextSolid(toks, target)
	if after >= 0 && !(toks[after].kind == tkIdent && clauseStarts[strings.ToUpper(toks[after].text)]) {
		return errAt(q, toks[after].pos, "only a single table (log) is supported after FROM")
	}
	return nil
}

// refuseUnsupported rejects, before anything else is looked at, valid SLS
// SQL the emulator does not run, so the error names the real reason.
func refuseUnsupported(q string, toks []sqlToken, first int) *apiError {
	for i, t := range toks {
		if t.kind == tkPunct && t.text == ";" {
			return errAt(q, t.pos, "only one statement is allowed")
		}
		if t.kind != tkIdent {
			continue
		}
		upper := strings.ToUpper(t.text)
		switch {
		case unsupportedKeywords[upper]:
			return errAt(q, t.pos, "%s is not supported by the local SLS emulator", upper)
		case upper == "SELECT" && i != first:
			return errAt(q, t.pos, "subqueries are not supported by the local SLS emulator")
		case sqliteHiddenColumns[upper]:
			return errAt(q, t.pos, "Column '%s' cannot be resolved;please add the column in the index attribute", t.text)
		}
	}
	return nil
}

// nullsLast appends NULLS LAST to every top-level ORDER BY item that does not
// say otherwise: Presto puts NULLs last both ways, SQLite sorts them first
// when ascending.
func nullsLast(toks []sqlToken, parts []string) {
	orderAt := -1
	for i, t := range toks {
		if t.depth == 0 && t.is("ORDER") {
			if next := nextSolid(toks, i); next >= 0 && toks[next].is("BY") {
				orderAt = next
			}
		}
	}
	if orderAt < 0 {
		return
	}
	last, explicit := -1, false
	finish := func() {
		if last >= 0 && !explicit {
			parts[last] += " NULLS LAST"
		}
		last, explicit = -1, false
	}
	for j := orderAt + 1; j < len(toks); j++ {
		t := toks[j]
		switch {
		case t.kind == tkSpace:
			continue
		case t.depth == 0 && t.kind == tkPunct && t.text == ",":
			finish()
			continue
		case t.depth == 0 && t.is("LIMIT"):
			finish()
			return
		case t.is("NULLS"):
			explicit = true
		}
		last = j
	}
	finish()
}

// errAt is ParameterInvalid with Presto's "line L:C: " prefix for a rune
// offset in the SQL text.
func errAt(q string, offset int, format string, args ...any) *apiError {
	line, col := 1, 1
	for i, r := range []rune(q) {
		if i >= offset {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return errQuery("line %d:%d: "+format, append([]any{line, col}, args...)...)
}
