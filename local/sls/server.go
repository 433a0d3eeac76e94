// Package sls is the local stack's Simple Log Service emulator. It speaks the
// wire protocol of aliyun-log-go-sdk v0.1.124 (PutLogs, GetLogs with search
// and SQL, index, shards, cursors, PullLogs) so the unmodified SDK and its
// producer can be pointed at it. See docs/local-sls.md for what is supported.
package sls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server.
type Options struct {
	// StateDir holds the SQLite database; empty keeps everything in memory.
	StateDir string
	// Logger receives one line per request (never log contents); nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock used for signatures and receive times; nil = time.Now.
	Now func() time.Time
}

// Server is the SLS emulator; it is an http.Handler.
type Server struct {
	db      *sql.DB
	log     *slog.Logger
	now     func() time.Time
	mu      sync.Mutex // serialises writes so shard sequence numbers stay dense
	reqSeq  atomic.Uint64
	rr      atomic.Uint64 // round-robin shard choice for writes without a hash key
	indexes indexCache
	catalog catalogCache
	stmts   statements
	ingest  *ingest // stores PutLogs' groups behind the answer (ingest.go)
}

// statements are the ones every PutLogs runs, parsed once: parsing SQL
// was most of a PutLogs round trip's time.
type statements struct {
	projectExists, getLogstore, latestIndex, insertGroup, insertLog *sql.Stmt
}

const (
	sqlProjectExists = `SELECT count(*) FROM projects WHERE name = ?`
	sqlGetLogstore   = `SELECT ttl, shards, created FROM logstores WHERE project = ? AND name = ?`
	sqlLatestIndex   = `SELECT version FROM index_versions WHERE project = ? AND logstore = ? ORDER BY version DESC LIMIT 1`
	sqlInsertGroup   = `INSERT INTO groups(project, logstore, shard, seq, received, body)
		 SELECT ?, ?, ?, COALESCE(MAX(seq) + 1, 0), ?, ? FROM groups WHERE project = ? AND logstore = ? AND shard = ?`
	sqlInsertLog = `INSERT INTO logs(project, logstore, time, topic, source, index_version, fields) VALUES(?, ?, ?, ?, ?, ?, ?)`
)

func prepare(db *sql.DB) (statements, error) {
	var st statements
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{{&st.projectExists, sqlProjectExists}, {&st.getLogstore, sqlGetLogstore}, {&st.latestIndex, sqlLatestIndex}, {&st.insertGroup, sqlInsertGroup}, {&st.insertLog, sqlInsertLog}} {
		stmt, err := db.Prepare(p.sql)
		if err != nil {
			return st, fmt.Errorf("sls: prepare %q: %w", p.sql, err)
		}
		*p.dst = stmt
	}
	return st, nil
}

// New opens (or creates) the emulator's state.
func New(opts Options) (*Server, error) {
	db, err := openDB(opts.StateDir)
	if err != nil {
		return nil, err
	}
	stmts, err := prepare(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{db: db, log: opts.Logger, now: opts.Now, stmts: stmts, ingest: newIngest()}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	go s.ingest.run(func(ctx context.Context, g pendingGroup) error {
		return s.storeGroup(ctx, g.project, g.logstore, g.shard, g.group)
	})
	return s, nil
}

// Close stores the groups already accepted and releases the state database.
func (s *Server) Close() error {
	err := s.ingest.close()
	return errors.Join(err, s.db.Close())
}

// ServeHTTP answers one SLS API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := fmt.Sprintf("LOCAL%015d", s.reqSeq.Add(1))
	w.Header().Set("x-log-requestid", reqID)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	project := projectFromHost(r.Host)
	s.route(rec, r, project)
	// Only metadata is logged: never bodies, queries or log contents. The
	// producer writes often, so successes are Debug and refusals Info.
	level := slog.LevelDebug
	if rec.status >= 400 {
		level = slog.LevelInfo
	}
	s.log.Log(r.Context(), level, "sls request", "method", r.Method, "path", r.URL.Path, "project", project,
		"status", rec.status, "request_id", reqID, "ms", time.Since(start).Milliseconds())
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Flush sends what is buffered: PutLogs answers before it wakes its
// background work.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
