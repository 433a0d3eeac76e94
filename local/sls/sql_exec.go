package sls

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

const queryTable = "_sls_query"

// sqlColumn is one column of the table a query's SQL runs over: the reserved
// fields plus every key indexed with analytics (doc_value) in the current
// index, typed by the index type like SLS (long → bigint, double, text).
type sqlColumn struct {
	name    string
	sqlType string
	keyType string // index type; "" for reserved columns
}

func queryColumns(idx *slssdk.Index) []sqlColumn {
	cols := []sqlColumn{
		{name: "__time__", sqlType: "INTEGER"},
		{name: "__topic__", sqlType: "TEXT"},
		{name: "__source__", sqlType: "TEXT"},
	}
	var keys []string
	for k, v := range idx.Keys {
		if v.DocValue && !strings.HasPrefix(k, "__") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	seen := map[string]bool{} // SQL names are case-insensitive: keep the first
	for _, k := range keys {
		if seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		t := idx.Keys[k].Type
		sqlType := map[string]string{"long": "INTEGER", "double": "REAL"}[t]
		if sqlType == "" {
			sqlType = "TEXT"
		}
		cols = append(cols, sqlColumn{name: k, sqlType: sqlType, keyType: t})
	}
	return cols
}

// columnValue answers a log's value for a column: NULL unless the log was
// indexed with analytics on that key when it arrived (index changes apply
// to new data only), and NULL when the text does not parse as the type.
func columnValue(rec *logRecord, c sqlColumn) any {
	switch c.name {
	case "__time__":
		return rec.time
	case "__topic__":
		return rec.topic
	case "__source__":
		return rec.source
	}
	if rec.idx == nil {
		return nil
	}
	key, ok := rec.idx.Keys[c.name]
	v, present := rec.values[c.name]
	if !ok || !key.DocValue || !present {
		return nil
	}
	switch c.keyType {
	case "long":
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return int64(f)
		}
		return nil
	case "double":
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return f
		}
		return nil
	}
	return v
}

// runSQL loads the matching logs into a temp table on the single pooled
// connection, runs the rewritten statement and formats every value as SLS
// does (strings; NULL as "null").
func (s *Server) runSQL(ctx context.Context, sqlText, logstore string, idx *slssdk.Index, recs []*logRecord) ([]string, []map[string]string, *apiError) {
	cols := queryColumns(idx)
	columnTypes := make(map[string]string, len(cols))
	for _, c := range cols {
		columnTypes[strings.ToLower(c.name)] = c.sqlType
	}
	rw, e := rewriteSQL(sqlText, logstore, queryTable, columnTypes)
	if e != nil {
		return nil, nil, e
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, errInternal(err)
	}
	defer conn.Close()
	if err := loadQueryTable(ctx, conn, cols, recs); err != nil {
		return nil, nil, errInternal(err)
	}
	defer conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.`+queryTable)
	rows, err := conn.QueryContext(ctx, rw.text)
	if err != nil {
		return nil, nil, sqliteError(err, sqlText)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, nil, errInternal(err)
	}
	keys := resultKeys(names, rw.aliases)
	var out []map[string]string
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, errInternal(err)
		}
		row := make(map[string]string, len(names))
		for i, v := range vals {
			row[keys[i]] = formatSQLValue(v)
			if n, ok := v.(int64); ok && len(rw.booleans) == len(names) && rw.booleans[i] && (n == 0 || n == 1) {
				row[keys[i]] = strconv.FormatBool(n == 1)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, sqliteError(err, sqlText)
	}
	return keys, out, nil
}

func loadQueryTable(ctx context.Context, conn *sql.Conn, cols []sqlColumn, recs []*logRecord) error {
	if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.`+queryTable); err != nil {
		return fmt.Errorf("sls: drop query table: %w", err)
	}
	defs := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = "[" + c.name + "] " + c.sqlType
		marks[i] = "?"
	}
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE `+queryTable+`(`+strings.Join(defs, ", ")+`)`); err != nil {
		return fmt.Errorf("sls: create query table: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sls: begin load: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+queryTable+` VALUES(`+strings.Join(marks, ", ")+`)`)
	if err != nil {
		return fmt.Errorf("sls: prepare load: %w", err)
	}
	defer stmt.Close()
	args := make([]any, len(cols))
	for _, rec := range recs {
		for i, c := range cols {
			args[i] = columnValue(rec, c)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("sls: load row: %w", err)
		}
	}
	return tx.Commit()
}

var plainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// resultKeys names result columns like SLS: a column or alias keeps its
// name, an unnamed expression becomes _col<i>.
func resultKeys(names []string, aliases map[string]bool) []string {
	keys := make([]string, len(names))
	for i, n := range names {
		if aliases[n] || plainName.MatchString(n) {
			keys[i] = n
		} else {
			keys[i] = fmt.Sprintf("_col%d", i)
		}
	}
	return keys
}

// formatSQLValue renders a value the way SLS's JSON does: everything is a
// string, NULL is "null", doubles look like Java's Double.toString.
func formatSQLValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatDouble(x)
	case []byte:
		return string(x)
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func formatDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if f == 0 || (abs >= 1e-3 && abs < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'E', -1, 64), "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

var (
	reNoColumn   = regexp.MustCompile(`no such column: ([^\s(]+)`)
	reNoFunction = regexp.MustCompile(`no such function: ([^\s(]+)`)
	reWrongArgs  = regexp.MustCompile(`wrong number of arguments to function ([^\s(]+)`)
	reNear       = regexp.MustCompile(`near "([^"]*)": syntax error`)
)

// sqliteError turns an engine error into SLS's ParameterInvalid with the
// message SLS gives for the same mistake, positioned like Presto.
func sqliteError(err error, sqlText string) *apiError {
	q := strings.TrimSpace(sqlText)
	msg := err.Error()
	if m := reNoColumn.FindStringSubmatch(msg); m != nil {
		name := strings.Trim(m[1], "[]\"")
		if i := runeIndex(q, `"`+name+`"`); i >= 0 {
			return errAt(q, i, "Column '%s' cannot be resolved; it seems %s is wrapper by \";if %s is a string ,not a key field, please use '%s'",
				name, name, name, name)
		}
		return errAt(q, max(runeIndex(q, name), 0), "Column '%s' cannot be resolved;please add the column in the index attribute", name)
	}
	if m := reNoFunction.FindStringSubmatch(msg); m != nil {
		return errAt(q, max(runeIndex(q, m[1]), 0), "Function %s not registered", m[1])
	}
	if m := reWrongArgs.FindStringSubmatch(msg); m != nil {
		name := strings.TrimSuffix(m[1], "()")
		return errAt(q, max(runeIndex(q, name), 0), "Unexpected parameters for function %s", name)
	}
	if m := reNear.FindStringSubmatch(msg); m != nil {
		return errAt(q, max(runeIndex(q, m[1]), 0), "mismatched input '%s'", m[1])
	}
	return errQuery("sql error: %s", msg)
}

// runeIndex answers the rune offset of the first case-insensitive
// occurrence of word in q, or -1.
func runeIndex(q, word string) int {
	i := strings.Index(strings.ToLower(q), strings.ToLower(word))
	if i < 0 {
		return -1
	}
	return len([]rune(q[:i]))
}
