package sls

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// maxSearchLines is the most raw logs one GetLogs answers (SLS: line ≤ 100).
const maxSearchLines = 100

type getLogsRequest struct {
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Topic   string `json:"topic"`
	Line    int64  `json:"line"`
	Offset  int64  `json:"offset"`
	Reverse bool   `json:"reverse"`
	Query   string `json:"query"`
}

func (s *Server) handleGetLogs(req *request) *apiError {
	started := time.Now()
	var in getLogsRequest
	if err := json.Unmarshal(req.body, &in); err != nil {
		return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "invalid GetLogs body: %v", err)
	}
	if e := checkGetLogsParams(in); e != nil {
		return e
	}
	ctx := req.r.Context()
	_, idx, err := s.currentIndexVersion(ctx, req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	if idx == nil {
		return newAPIError(http.StatusBadRequest, codeIndexConfigNotExist, "logstore without index config")
	}
	search, sqlText := splitQuery(in.Query)
	if sqlText == "" && startsWithSelect(search) {
		return errQuery("sql query must follow search query,please read syntax doc")
	}
	tree, err := parseSearch(search)
	if err != nil {
		return errQuery("invalid query: %v", err)
	}
	recs, scanned, err := s.loadMatching(ctx, req.project, req.logstore, in, tree)
	if err != nil {
		return errInternal(err)
	}
	meta := map[string]any{
		"progress": "Complete", "hasSQL": sqlText != "", "whereQuery": search, "aggQuery": sqlText,
		"processedRows": scanned, "processedBytes": 0, "telementryType": "logging", "powerSql": false,
		"insertedSQL": "", "limited": 0, "cpuSec": 0, "cpuCores": 0, "isAccurate": true,
		"terms": searchTerms(tree),
	}
	var data []map[string]string
	if sqlText == "" {
		data = rawLogs(recs, in)
	} else {
		keys, rows, e := s.runSQL(ctx, sqlText, req.logstore, idx, recs)
		if e != nil {
			return e
		}
		data, meta["keys"] = rows, keys
	}
	if data == nil {
		data = []map[string]string{}
	}
	meta["count"] = len(data)
	meta["elapsedMillisecond"] = time.Since(started).Milliseconds()
	body, err := json.Marshal(map[string]any{"meta": meta, "data": data})
	if err != nil {
		return errInternal(err)
	}
	req.w.Header().Set("x-log-progress", "Complete")
	req.w.Header().Set("x-log-count", strconv.Itoa(len(data)))
	if err := writeEncoded(req.w, req.r.Header.Get("Accept-Encoding"), "application/json", body); err != nil {
		return errInternal(err)
	}
	return nil
}

// checkGetLogsParams applies the GetLogs API reference: [from, to) must not
// be empty, line is 0..100 (0 = default 100), offset is not negative.
func checkGetLogsParams(in getLogsRequest) *apiError {
	if in.From >= in.To {
		return newAPIError(http.StatusBadRequest, codeInvalidTimeRange, "request time range is invalid")
	}
	if in.Line < 0 || in.Line > maxSearchLines {
		return newAPIError(http.StatusBadRequest, codeInvalidLine, "line is invalid")
	}
	if in.Offset < 0 {
		return newAPIError(http.StatusBadRequest, codeInvalidOffset, "offset is invalid")
	}
	return nil
}

func startsWithSelect(q string) bool {
	f := strings.Fields(q)
	return len(f) > 0 && strings.EqualFold(f[0], "select")
}

// splitQuery cuts "<search> | <sql>" at the first "|" outside quotes.
func splitQuery(q string) (search, sqlText string) {
	inDouble, inSingle := false, false
	for i, c := range q {
		switch {
		case c == '"' && !inSingle:
			inDouble = !inDouble
		case c == '\'' && !inDouble:
			inSingle = !inSingle
		case c == '|' && !inDouble && !inSingle:
			return strings.TrimSpace(q[:i]), strings.TrimSpace(q[i+1:])
		}
	}
	return strings.TrimSpace(q), ""
}

// loadMatching reads the logs of [from, to) that were indexed on arrival and
// match the search, oldest first.
func (s *Server) loadMatching(ctx context.Context, project, logstore string, in getLogsRequest, tree searchNode) ([]*logRecord, int, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT time, topic, source, index_version, fields FROM logs
		 WHERE project = ? AND logstore = ? AND time >= ? AND time < ? ORDER BY time, id`,
		project, logstore, in.From, in.To)
	if err != nil {
		return nil, 0, fmt.Errorf("sls: read logs: %w", err)
	}
	type stored struct {
		rec     logRecord
		version int
		fields  string
	}
	var all []stored
	for rows.Next() {
		var st stored
		if err := rows.Scan(&st.rec.time, &st.rec.topic, &st.rec.source, &st.version, &st.fields); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("sls: scan log: %w", err)
		}
		all = append(all, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sls: read logs: %w", err)
	}
	var out []*logRecord
	for i := range all {
		rec := &all[i].rec
		// The single pooled connection is free again: the rows are closed.
		if rec.idx, err = s.indexVersion(ctx, project, logstore, all[i].version); err != nil {
			return nil, 0, err
		}
		if rec.idx == nil {
			continue
		}
		if err := json.Unmarshal([]byte(all[i].fields), &rec.fields); err != nil {
			return nil, 0, fmt.Errorf("sls: decode log fields: %w", err)
		}
		rec.values = make(map[string]string, len(rec.fields))
		for _, kv := range rec.fields {
			rec.values[kv[0]] = kv[1]
		}
		if in.Topic != "" && rec.topic != in.Topic {
			continue
		}
		if rec.matches(tree) {
			out = append(out, rec)
		}
	}
	return out, len(all), nil
}

// rawLogs pages plain search results: oldest first unless reverse, then
// offset and line (default and maximum 100).
func rawLogs(recs []*logRecord, in getLogsRequest) []map[string]string {
	ordered := append([]*logRecord(nil), recs...)
	if in.Reverse {
		sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].time > ordered[j].time })
	}
	line := in.Line
	if line == 0 {
		line = maxSearchLines
	}
	offset := in.Offset
	if offset >= int64(len(ordered)) {
		return nil
	}
	ordered = ordered[offset:min(int64(len(ordered)), offset+line)]
	out := make([]map[string]string, 0, len(ordered))
	for _, rec := range ordered {
		m := make(map[string]string, len(rec.fields)+3)
		for _, kv := range rec.fields {
			m[kv[0]] = kv[1]
		}
		m["__time__"] = strconv.FormatInt(rec.time, 10)
		m["__topic__"] = rec.topic
		m["__source__"] = rec.source
		out = append(out, m)
	}
	return out
}

// searchTerms lists the terms of a search the way meta.terms reports them.
func searchTerms(n searchNode) []slssdk.MetaTerm {
	terms := []slssdk.MetaTerm{}
	var walk func(searchNode)
	walk = func(n searchNode) {
		switch n := n.(type) {
		case andNode:
			walk(n.left)
			walk(n.right)
		case orNode:
			walk(n.left)
			walk(n.right)
		case notNode:
			walk(n.inner)
		case fieldTerm:
			terms = append(terms, slssdk.MetaTerm{Key: n.key, Term: n.value})
		case fullText:
			terms = append(terms, slssdk.MetaTerm{Key: "", Term: n.value})
		}
	}
	walk(n)
	return terms
}
