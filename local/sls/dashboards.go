package sls

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// Dashboards: the project-level API aliyun-log-go-sdk's CreateDashboard,
// UpdateDashboard, GetDashboard, DeleteDashboard and ListDashboard(V2)
// speak (client_dashboard.go): JSON bodies, the dashboard's name in the
// path for everything but create. Like SLS, GetDashboard answers the
// stored dashboard with server attributes `update` (ms) and `version`, so
// a client can tell whether a write changed anything.

const (
	codeDashboardNotExist     = "DashboardNotExist"     // unverified code
	codeDashboardAlreadyExist = "DashboardAlreadyExist" // unverified code
)

const dashboardSchema = `CREATE TABLE IF NOT EXISTS dashboards(
	project TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
	version INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY(project, name))`

func (s *Server) dispatchDashboards(req *request, rest []string) *apiError {
	ctx := req.r.Context()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.db.ExecContext(ctx, dashboardSchema); err != nil {
		return errInternal(err)
	}
	method := req.r.Method
	switch {
	case len(rest) == 0 && method == http.MethodPost:
		return s.putDashboard(ctx, req, "", true)
	case len(rest) == 0 && method == http.MethodGet:
		return s.listDashboards(ctx, req)
	case len(rest) == 1 && method == http.MethodPut:
		return s.putDashboard(ctx, req, rest[0], false)
	case len(rest) == 1 && method == http.MethodGet:
		return s.getDashboard(ctx, req, rest[0])
	case len(rest) == 1 && method == http.MethodDelete:
		return s.deleteDashboard(ctx, req, rest[0])
	}
	return newAPIError(http.StatusNotFound, codeNotSupported,
		"%s %s is not supported by the local SLS emulator (charts are edited through the dashboard)", method, req.r.URL.Path)
}

func errDashboardNotExist(name string) *apiError {
	return newAPIError(http.StatusNotFound, codeDashboardNotExist, "dashboard %s does not exist", name)
}

// putDashboard creates (POST, name from the body) or replaces (PUT, name
// from the path) a dashboard. Server attributes in the body are ignored.
func (s *Server) putDashboard(ctx context.Context, req *request, pathName string, create bool) *apiError {
	var d map[string]any
	if err := json.Unmarshal(req.body, &d); err != nil {
		return newAPIError(http.StatusBadRequest, codePostBodyInvalid, "invalid dashboard: %v", err)
	}
	name, _ := d["dashboardName"].(string)
	if pathName != "" && name != "" && name != pathName {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid,
			"dashboardName %q in the body differs from %q in the path", name, pathName)
	}
	if name == "" {
		name = pathName
	}
	if name == "" {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid, "dashboardName is required")
	}
	if _, ok := d["charts"].([]any); !ok && d["charts"] != nil {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid, "charts must be a list")
	}
	d["dashboardName"] = name
	delete(d, "attribute")
	body, _ := json.Marshal(d)
	version, err := s.dashboardVersion(ctx, req.project, name)
	if err != nil {
		return errInternal(err)
	}
	switch {
	case create && version > 0:
		return newAPIError(http.StatusBadRequest, codeDashboardAlreadyExist, "dashboard %s already exists", name)
	case !create && version == 0:
		return errDashboardNotExist(name)
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO dashboards(project, name, body, version, updated) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT(project, name) DO UPDATE SET body = excluded.body, version = excluded.version, updated = excluded.updated`,
		req.project, name, string(body), version+1, s.now().UnixMilli())
	if err != nil {
		return errInternal(err)
	}
	writeJSON(req.w, struct{}{})
	return nil
}

func (s *Server) dashboardVersion(ctx context.Context, project, name string) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT version FROM dashboards WHERE project = ? AND name = ?`, project, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (s *Server) getDashboard(ctx context.Context, req *request, name string) *apiError {
	var body string
	var version, updated int64
	err := s.db.QueryRowContext(ctx, `SELECT body, version, updated FROM dashboards WHERE project = ? AND name = ?`,
		req.project, name).Scan(&body, &version, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return errDashboardNotExist(name)
	}
	if err != nil {
		return errInternal(err)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return errInternal(err)
	}
	d["attribute"] = map[string]string{"update": strconv.FormatInt(updated, 10), "version": strconv.FormatInt(version, 10)}
	writeJSON(req.w, d)
	return nil
}

func (s *Server) deleteDashboard(ctx context.Context, req *request, name string) *apiError {
	res, err := s.db.ExecContext(ctx, `DELETE FROM dashboards WHERE project = ? AND name = ?`, req.project, name)
	if err != nil {
		return errInternal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errDashboardNotExist(name)
	}
	writeJSON(req.w, struct{}{})
	return nil
}

// listDashboards pages by offset/size. The SDK sends them (and the name
// filter) as headers; the API reference has them as query parameters: both
// are read.
func (s *Server) listDashboards(ctx context.Context, req *request) *apiError {
	param := func(k string) string {
		if v := req.r.URL.Query().Get(k); v != "" {
			return v
		}
		return req.r.Header.Get(k)
	}
	offset, _ := strconv.Atoi(param("offset"))
	size, err := strconv.Atoi(param("size"))
	if err != nil || size <= 0 || size > 500 {
		size = 500
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT name, COALESCE(json_extract(body, '$.displayName'), '') FROM dashboards
		 WHERE project = ? AND (? = '' OR instr(name, ?) > 0) ORDER BY name`,
		req.project, param("dashboardName"), param("dashboardName"))
	if err != nil {
		return errInternal(err)
	}
	defer rows.Close()
	type item struct {
		Name        string `json:"dashboardName"`
		DisplayName string `json:"displayName"`
	}
	var all []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.Name, &it.DisplayName); err != nil {
			return errInternal(err)
		}
		all = append(all, it)
	}
	if err := rows.Err(); err != nil {
		return errInternal(err)
	}
	page := all[min(offset, len(all)):min(offset+size, len(all))]
	names := make([]string, 0, len(page))
	for _, it := range page {
		names = append(names, it.Name)
	}
	writeJSON(req.w, map[string]any{"dashboards": names, "dashboardItems": page, "count": len(page), "total": len(all)})
	return nil
}
