package sls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// defaultShards is the shard count of a logstore created without one.
const defaultShards = 2

// maxShards keeps local logstores small; real SLS allows more.
const maxShards = 16

// catalogCache remembers the projects and logstores found in the database,
// so a PutLogs looks nothing up in SQLite: its one connection is the
// background writer's most of the time (ingest.go). Only what exists is
// remembered; projects are never deleted, a deleted logstore is forgotten.
type catalogCache struct {
	projects  sync.Map // name → struct{}
	logstores sync.Map // logstoreKey → logstoreInfo
}

type logstoreKey struct{ project, name string }

func (s *Server) projectExists(ctx context.Context, project string) (bool, error) {
	if _, ok := s.catalog.projects.Load(project); ok {
		return true, nil
	}
	var n int
	err := s.stmts.projectExists.QueryRowContext(ctx, project).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sls: look up project: %w", err)
	}
	if n > 0 {
		s.catalog.projects.Store(project, struct{}{})
	}
	return n > 0, nil
}

// logstoreInfo is a logstore's catalog row.
type logstoreInfo struct {
	Name    string
	TTL     int
	Shards  int
	Created int64
}

var errNotFound = errors.New("sls: not found")

func (s *Server) getLogstore(ctx context.Context, project, name string) (logstoreInfo, error) {
	key := logstoreKey{project, name}
	if info, ok := s.catalog.logstores.Load(key); ok {
		return info.(logstoreInfo), nil
	}
	info := logstoreInfo{Name: name}
	err := s.stmts.getLogstore.QueryRowContext(ctx, project, name).
		Scan(&info.TTL, &info.Shards, &info.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return info, errNotFound
	}
	if err != nil {
		return info, fmt.Errorf("sls: look up logstore: %w", err)
	}
	s.catalog.logstores.Store(key, info)
	return info, nil
}

func (s *Server) createProject(ctx context.Context, name, description string) (created bool, err error) {
	res, err := s.db.ExecContext(ctx,
		`INSERT OR IGNORE INTO projects(name, description, created) VALUES(?, ?, ?)`,
		name, description, s.now().Unix())
	if err != nil {
		return false, fmt.Errorf("sls: create project: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *Server) createLogstore(ctx context.Context, project, name string, ttl, shards int) (created bool, err error) {
	if shards <= 0 {
		shards = defaultShards
	}
	if shards > maxShards {
		shards = maxShards
	}
	if ttl <= 0 {
		ttl = 30
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT OR IGNORE INTO logstores(project, name, ttl, shards, created) VALUES(?, ?, ?, ?, ?)`,
		project, name, ttl, shards, s.now().Unix())
	if err != nil {
		return false, fmt.Errorf("sls: create logstore: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// EnsureProject creates the project if it does not exist (bootstrap helper).
func (s *Server) EnsureProject(name string) error {
	_, err := s.createProject(context.Background(), name, "created by the local stack")
	return err
}

// EnsureLogstore creates the project and the logstore (two shards) if missing.
func (s *Server) EnsureLogstore(project, logstore string) error {
	if err := s.EnsureProject(project); err != nil {
		return err
	}
	_, err := s.createLogstore(context.Background(), project, logstore, 30, defaultShards)
	return err
}
