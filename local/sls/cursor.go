package sls

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"
)

// Cursors are positions in a shard's sequence of log groups, encoded like
// SLS's (base64 of a decimal number). Reads see a group as soon as PutLogs
// returns: there is no index lag on this path.

const maxPullCount = 1000

func encodeCursor(seq int64) string {
	return base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil && n >= 0
}

func (s *Server) handleShardRead(req *request, shardText string) *apiError {
	info, err := s.getLogstore(req.r.Context(), req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	shard, err := strconv.Atoi(shardText)
	if err != nil || shard < 0 || shard >= info.Shards {
		return newAPIError(http.StatusBadRequest, codeShardNotExist, "shard %s does not exist", shardText)
	}
	q := req.r.URL.Query()
	switch q.Get("type") {
	case "cursor":
		return s.handleGetCursor(req, shard, q.Get("from"))
	case "logs":
		return s.handlePullLogs(req, shard)
	}
	return newAPIError(http.StatusBadRequest, codeParameterInvalid, "type %q is not supported on a shard", q.Get("type"))
}

// shardEnd answers the sequence number the next group of the shard will get.
func (s *Server) shardEnd(ctx context.Context, project, logstore string, shard int) (int64, error) {
	var end int64
	err := s.db.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(seq) + 1, 0) FROM groups WHERE project = ? AND logstore = ? AND shard = ?`,
		project, logstore, shard).Scan(&end)
	return end, err
}

func (s *Server) handleGetCursor(req *request, shard int, from string) *apiError {
	ctx := req.r.Context()
	var seq int64
	switch from {
	case "begin":
		seq = 0
	case "end":
		end, err := s.shardEnd(ctx, req.project, req.logstore, shard)
		if err != nil {
			return errInternal(err)
		}
		seq = end
	default:
		t, err := strconv.ParseInt(from, 10, 64)
		if err != nil {
			return newAPIError(http.StatusBadRequest, codeParameterInvalid, "from %q must be begin, end or a unix time", from)
		}
		err = s.db.QueryRowContext(ctx,
			`SELECT COALESCE(MIN(seq), (SELECT COALESCE(MAX(seq) + 1, 0) FROM groups WHERE project = ?1 AND logstore = ?2 AND shard = ?3))
			 FROM groups WHERE project = ?1 AND logstore = ?2 AND shard = ?3 AND received >= ?4`,
			req.project, req.logstore, shard, t).Scan(&seq)
		if err != nil {
			return errInternal(err)
		}
	}
	writeJSON(req.w, map[string]string{"cursor": encodeCursor(seq)})
	return nil
}

func (s *Server) handlePullLogs(req *request, shard int) *apiError {
	ctx := req.r.Context()
	q := req.r.URL.Query()
	if q.Get("query") != "" {
		return newAPIError(http.StatusBadRequest, codeNotSupported, "PullLogs with an SPL query is not supported by the local SLS emulator")
	}
	from, ok := decodeCursor(q.Get("cursor"))
	if !ok {
		return newAPIError(http.StatusBadRequest, codeInvalidCursor, "cursor %q is invalid", q.Get("cursor"))
	}
	count, err := strconv.Atoi(q.Get("count"))
	if err != nil || count <= 0 || count > maxPullCount {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid, "count must be in [1, %d]", maxPullCount)
	}
	until := from + int64(count)
	if ec := q.Get("end_cursor"); ec != "" {
		end, ok := decodeCursor(ec)
		if !ok {
			return newAPIError(http.StatusBadRequest, codeInvalidCursor, "end_cursor %q is invalid", ec)
		}
		until = min(until, end)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, body FROM groups WHERE project = ? AND logstore = ? AND shard = ? AND seq >= ? AND seq < ? ORDER BY seq`,
		req.project, req.logstore, shard, from, until)
	if err != nil {
		return errInternal(err)
	}
	defer rows.Close()
	list := &slssdk.LogGroupList{}
	next := from
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			return errInternal(err)
		}
		g := &slssdk.LogGroup{}
		if err := proto.Unmarshal(body, g); err != nil {
			return errInternal(err)
		}
		list.LogGroups = append(list.LogGroups, g)
		next = seq + 1
	}
	if err := rows.Err(); err != nil {
		return errInternal(err)
	}
	h := req.w.Header()
	h.Set("x-log-cursor", encodeCursor(next))
	h.Set("x-log-count", strconv.Itoa(len(list.LogGroups)))
	if len(list.LogGroups) == 0 {
		h.Set("x-log-bodyrawsize", "0")
		h.Set("x-log-compresstype", "lz4")
		h.Set("Content-Type", "application/x-protobuf")
		req.w.WriteHeader(http.StatusOK)
		return nil
	}
	raw, err := proto.Marshal(list)
	if err != nil {
		return errInternal(err)
	}
	accept := req.r.Header.Get("Accept-Encoding")
	if accept == "" {
		accept = "lz4"
	}
	if err := writeEncoded(req.w, accept, "application/x-protobuf", raw); err != nil {
		return errInternal(err)
	}
	return nil
}
