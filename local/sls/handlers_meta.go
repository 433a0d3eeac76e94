package sls

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
)

func (s *Server) requireLogstore(req *request) *apiError {
	_, err := s.getLogstore(req.r.Context(), req.project, req.logstore)
	if errors.Is(err, errNotFound) {
		return errLogStoreNotExist(req.logstore)
	}
	if err != nil {
		return errInternal(err)
	}
	return nil
}

func (s *Server) handleCreateProject(req *request) *apiError {
	var body struct {
		ProjectName string `json:"projectName"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(req.body, &body); err != nil {
		return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "invalid project body: %v", err)
	}
	if body.ProjectName != "" && body.ProjectName != req.project {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid,
			"projectName %q does not match the Host project %q", body.ProjectName, req.project)
	}
	created, err := s.createProject(req.r.Context(), req.project, body.Description)
	if err != nil {
		return errInternal(err)
	}
	if !created {
		return newAPIError(http.StatusBadRequest, codeProjectAlreadyExist, "Project %s already exist", req.project)
	}
	writeJSON(req.w, struct{}{})
	return nil
}

func (s *Server) handleGetProject(req *request) *apiError {
	var description string
	var created int64
	err := s.db.QueryRowContext(req.r.Context(),
		`SELECT description, created FROM projects WHERE name = ?`, req.project).Scan(&description, &created)
	if err != nil {
		return errInternal(err)
	}
	// Only the tagged fields of sls.LogProject: the SDK unmarshals this into
	// its own project value, so an "endpoint" key would overwrite its endpoint.
	writeJSON(req.w, map[string]string{
		"projectName":    req.project,
		"description":    description,
		"status":         "Normal",
		"owner":          "",
		"region":         "cn-local",
		"createTime":     strconv.FormatInt(created, 10),
		"lastModifyTime": strconv.FormatInt(created, 10),
	})
	return nil
}

func (s *Server) handleListLogStores(req *request) *apiError {
	rows, err := s.db.QueryContext(req.r.Context(),
		`SELECT name FROM logstores WHERE project = ? ORDER BY name`, req.project)
	if err != nil {
		return errInternal(err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return errInternal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return errInternal(err)
	}
	sort.Strings(names)
	writeJSON(req.w, map[string]any{"count": len(names), "total": len(names), "logstores": names})
	return nil
}

func (s *Server) handleCreateLogStore(req *request) *apiError {
	var body struct {
		Name       string `json:"logstoreName"`
		TTL        int    `json:"ttl"`
		ShardCount int    `json:"shardCount"`
	}
	if err := json.Unmarshal(req.body, &body); err != nil || body.Name == "" {
		return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "invalid logstore body")
	}
	created, err := s.createLogstore(req.r.Context(), req.project, body.Name, body.TTL, body.ShardCount)
	if err != nil {
		return errInternal(err)
	}
	if !created {
		return newAPIError(http.StatusBadRequest, codeLogStoreAlreadyExist, "logstore %s already exists", body.Name)
	}
	writeJSON(req.w, struct{}{})
	return nil
}

func (s *Server) handleGetLogStore(req *request) *apiError {
	info, err := s.getLogstore(req.r.Context(), req.project, req.logstore)
	if err != nil {
		return errInternal(err)
	}
	writeJSON(req.w, map[string]any{
		"logstoreName":    info.Name,
		"ttl":             info.TTL,
		"shardCount":      info.Shards,
		"enable_tracking": false,
		"autoSplit":       false,
		"maxSplitShard":   0,
		"appendMeta":      false,
		"telemetryType":   "",
		"createTime":      info.Created,
		"lastModifyTime":  info.Created,
	})
	return nil
}

func (s *Server) handleDeleteLogStore(req *request) *apiError {
	ctx := req.r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range []string{
		`DELETE FROM logstores WHERE project = ? AND name = ?`,
		`DELETE FROM logs WHERE project = ? AND logstore = ?`,
		`DELETE FROM groups WHERE project = ? AND logstore = ?`,
		`DELETE FROM index_versions WHERE project = ? AND logstore = ?`,
	} {
		if _, err := s.db.ExecContext(ctx, q, req.project, req.logstore); err != nil {
			return errInternal(err)
		}
	}
	s.catalog.logstores.Delete(logstoreKey{req.project, req.logstore})
	writeJSON(req.w, struct{}{})
	return nil
}
