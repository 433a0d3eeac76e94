package sls

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"
)

// PutLogs limits from the PutLogs API reference: a log group may carry at
// most 4096 logs and 3 MB (400 PostBodyTooLarge, "Logs must be less than or
// equal to 3 MB and 4096 entries."). The 10 MB request limit (413) is in route.go.
const (
	maxLogsPerGroup  = 4096
	maxGroupRawBytes = 3 << 20
)

func (s *Server) handlePutLogs(req *request, hashKey string) *apiError {
	raw, e := decodeBody(req.r.Header, req.body)
	if e != nil {
		return e
	}
	group := &slssdk.LogGroup{}
	if err := proto.Unmarshal(raw, group); err != nil {
		return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "Protobuffer content cannot be parsed.")
	}
	if len(group.Logs) > maxLogsPerGroup || len(raw) > maxGroupRawBytes {
		return newAPIError(http.StatusBadRequest, codePostBodyTooLarge,
			"Logs must be less than or equal to 3 MB and 4096 entries.")
	}
	if group.GetSource() == "" { // SLS fills in the client address
		host, _, _ := net.SplitHostPort(req.r.RemoteAddr)
		group.Source = proto.String(host)
	}
	info, err := s.getLogstore(req.r.Context(), req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	shard := int(s.rr.Add(1) % uint64(info.Shards))
	if hashKey != "" {
		shard = shardForKey(shardRanges(info.Shards, info.Created), hashKey)
	}
	if err := s.ingest.accept(pendingGroup{req.project, req.logstore, shard, group}); err != nil {
		return errInternal(err)
	}
	defer s.ingest.kick() // after the answer is on its way
	// No body, and a length that says so (SLS-15): the answer is whole in
	// its headers, one write the client need not read past.
	req.w.Header().Set("Content-Length", "0")
	req.w.WriteHeader(http.StatusOK)
	if f, ok := req.w.(http.Flusher); ok {
		f.Flush()
	}
	return nil
}

// storeGroup appends the group to its shard (for cursors) and its logs to
// the searchable table, stamped with the current index version.
func (s *Server) storeGroup(ctx context.Context, project, logstore string, shard int, group *slssdk.LogGroup) error {
	body, err := proto.Marshal(group)
	if err != nil {
		return fmt.Errorf("sls: encode group: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	version, _, err := s.currentIndexVersion(ctx, project, logstore)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sls: begin: %w", err)
	}
	defer tx.Rollback()
	_, err = tx.StmtContext(ctx, s.stmts.insertGroup).ExecContext(ctx,
		project, logstore, shard, s.now().Unix(), body, project, logstore, shard)
	if err != nil {
		return fmt.Errorf("sls: store group: %w", err)
	}
	stmt := tx.StmtContext(ctx, s.stmts.insertLog)
	defer stmt.Close()
	for _, l := range group.Logs {
		fields, err := json.Marshal(logFields(l, group.LogTags))
		if err != nil {
			return fmt.Errorf("sls: encode fields: %w", err)
		}
		if _, err := stmt.ExecContext(ctx, project, logstore, int64(l.GetTime()), group.GetTopic(),
			group.GetSource(), version, string(fields)); err != nil {
			return fmt.Errorf("sls: store log: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sls: commit: %w", err)
	}
	return nil
}

// logFields flattens a log's contents and its group's tags (as
// "__tag__:<key>", the way GetLogs shows them) into ordered pairs.
func logFields(l *slssdk.Log, tags []*slssdk.LogTag) [][2]string {
	out := make([][2]string, 0, len(l.Contents)+len(tags))
	for _, c := range l.Contents {
		out = append(out, [2]string{c.GetKey(), c.GetValue()})
	}
	for _, t := range tags {
		out = append(out, [2]string{"__tag__:" + t.GetKey(), t.GetValue()})
	}
	return out
}
