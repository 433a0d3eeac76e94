package sls

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"
)

// Index configs are versioned: every create/update/delete adds a version and
// each log remembers the version current when it arrived. Like SLS, a change
// therefore applies to new data only.

// indexCache holds parsed index versions; versions never change once written.
type indexCache struct {
	mu sync.Mutex
	m  map[string]*slssdk.Index
}

var validKeyTypes = map[string]bool{"text": true, "long": true, "double": true, "json": true}

func indexCacheKey(project, logstore string, version int) string {
	return fmt.Sprintf("%s\x00%s\x00%d", project, logstore, version)
}

// currentIndexVersion answers the newest version (0 = never indexed) and its
// config (nil when there is no index now).
func (s *Server) currentIndexVersion(ctx context.Context, project, logstore string) (int, *slssdk.Index, error) {
	// Only the number: the config comes by version from the cache, and
	// reading it here copied the whole index JSON on every stored group.
	var version int
	err := s.stmts.latestIndex.QueryRowContext(ctx, project, logstore).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("sls: read index: %w", err)
	}
	idx, err := s.indexVersion(ctx, project, logstore, version)
	return version, idx, err
}

// indexVersion answers the config of one version (nil for none/deleted).
func (s *Server) indexVersion(ctx context.Context, project, logstore string, version int) (*slssdk.Index, error) {
	if version == 0 {
		return nil, nil
	}
	key := indexCacheKey(project, logstore, version)
	s.indexes.mu.Lock()
	idx, ok := s.indexes.m[key]
	s.indexes.mu.Unlock()
	if ok {
		return idx, nil
	}
	var config sql.NullString
	err := s.db.QueryRowContext(ctx,
		`SELECT config FROM index_versions WHERE project = ? AND logstore = ? AND version = ?`,
		project, logstore, version).Scan(&config)
	if err != nil {
		return nil, fmt.Errorf("sls: read index version %d: %w", version, err)
	}
	if config.Valid {
		idx = &slssdk.Index{}
		if err := json.Unmarshal([]byte(config.String), idx); err != nil {
			return nil, fmt.Errorf("sls: decode index version %d: %w", version, err)
		}
	}
	s.indexes.mu.Lock()
	if s.indexes.m == nil {
		s.indexes.m = map[string]*slssdk.Index{}
	}
	s.indexes.m[key] = idx
	s.indexes.mu.Unlock()
	return idx, nil
}

// putIndexVersion appends a version; config nil records a deletion.
func (s *Server) putIndexVersion(ctx context.Context, project, logstore string, idx *slssdk.Index) error {
	var config any
	if idx != nil {
		b, err := json.Marshal(idx)
		if err != nil {
			return fmt.Errorf("sls: encode index: %w", err)
		}
		config = string(b)
	}
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO index_versions(project, logstore, version, config, created)
		 SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ? FROM index_versions WHERE project = ? AND logstore = ?`,
		project, logstore, config, s.now().Unix(), project, logstore)
	if err != nil {
		return fmt.Errorf("sls: write index: %w", err)
	}
	return nil
}

// EnsureIndex sets the logstore's index if it has none (bootstrap helper).
func (s *Server) EnsureIndex(project, logstore string, idx slssdk.Index) error {
	if err := s.ingest.settle(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx := context.Background()
	_, cur, err := s.currentIndexVersion(ctx, project, logstore)
	if err != nil || cur != nil {
		return err
	}
	if e := validateIndex(&idx); e != nil {
		return e
	}
	return s.putIndexVersion(ctx, project, logstore, &idx)
}

func validateIndex(idx *slssdk.Index) *apiError {
	if len(idx.Keys) == 0 && idx.Line == nil {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid, "index config must have keys or line")
	}
	for name, k := range idx.Keys {
		if !validKeyTypes[k.Type] {
			return newAPIError(http.StatusBadRequest, codeParameterInvalid,
				"index key %s has invalid type %q (text, long, double or json)", name, k.Type)
		}
	}
	return nil
}

func (s *Server) handleIndex(req *request) *apiError {
	ctx := req.r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, cur, err := s.currentIndexVersion(ctx, req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	notExist := newAPIError(http.StatusNotFound, codeIndexConfigNotExist,
		"index config doesn't exist in logstore %s", req.logstore)
	switch req.r.Method {
	case http.MethodGet:
		if cur == nil {
			return notExist
		}
		writeJSON(req.w, cur)
		return nil
	case http.MethodDelete:
		if cur == nil {
			return notExist
		}
		if err := s.putIndexVersion(ctx, req.project, req.logstore, nil); err != nil {
			return errInternal(err)
		}
		writeJSON(req.w, struct{}{})
		return nil
	case http.MethodPost, http.MethodPut:
		if req.r.Method == http.MethodPost && cur != nil {
			return newAPIError(http.StatusBadRequest, codeIndexAlreadyExist,
				"log store index already exists in logstore %s", req.logstore)
		}
		if req.r.Method == http.MethodPut && cur == nil {
			return notExist
		}
		idx := &slssdk.Index{}
		if err := json.Unmarshal(req.body, idx); err != nil {
			return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "invalid index config: %v", err)
		}
		if e := validateIndex(idx); e != nil {
			return e
		}
		if err := s.putIndexVersion(ctx, req.project, req.logstore, idx); err != nil {
			return errInternal(err)
		}
		writeJSON(req.w, struct{}{})
		return nil
	}
	return newAPIError(http.StatusMethodNotAllowed, codeNotSupported, "method %s not supported on index", req.r.Method)
}
