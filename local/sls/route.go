package sls

import (
	"io"
	"net/http"
	"smsflow/shared/slstrace"
	"strings"
)

// maxBodyBytes is SLS's limit on a request body (10 MB; error table:
// 413 PostBodyTooLarge). It applies to the wire body and to the raw size.
const maxBodyBytes = 10 << 20

// request is one API call after the common checks.
type request struct {
	w        http.ResponseWriter
	r        *http.Request
	project  string
	logstore string
	body     []byte
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, project string) {
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		s.serveAdmin(w, r)
		return
	}
	if r.URL.Path == slstrace.Path {
		s.serveOTLP(w, r, project)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeError(w, newAPIError(http.StatusBadRequest, codePostBodyInvalid, "read body: %v", err))
		return
	}
	if len(body) > maxBodyBytes {
		writeError(w, newAPIError(http.StatusRequestEntityTooLarge, codePostBodyTooLarge,
			"body size %d+ must little than %d", len(body), maxBodyBytes))
		return
	}
	req := &request{w: w, r: r, project: project, body: body}
	if e := s.checkProjectThenAuth(req); e != nil {
		writeError(w, e)
		return
	}

	if e := s.dispatch(req); e != nil {
		writeError(w, e)
	}
}

// checkProjectThenAuth mirrors SLS's order: an unknown project is reported
// as such before the signature is looked at (the project owns the key).
func (s *Server) checkProjectThenAuth(req *request) *apiError {
	creatingProject := req.r.Method == http.MethodPost && req.r.URL.Path == "/"
	if req.project != "" && !creatingProject {
		ok, err := s.projectExists(req.r.Context(), req.project)
		if err != nil {
			return errInternal(err)
		}
		if !ok {
			return errProjectNotExist(req.project)
		}
	}
	return s.verifyRequest(req.r, req.body)
}

func (s *Server) dispatch(req *request) *apiError {
	parts := strings.Split(strings.Trim(req.r.URL.Path, "/"), "/")
	method := req.r.Method
	if req.r.URL.Path == "/" {
		parts = nil
	}
	if req.project == "" {
		return newAPIError(http.StatusBadRequest, codeParameterInvalid,
			"the local SLS emulator needs the project in the Host header (<project>.<endpoint>)")
	}
	if len(parts) >= 2 && parts[0] == "logstores" {
		req.logstore = parts[1]
		return s.dispatchLogstore(req, parts[2:])
	}
	if e := s.settle(); e != nil {
		return e
	}
	switch {
	case len(parts) == 0 && method == http.MethodPost:
		return s.handleCreateProject(req)
	case len(parts) == 0 && method == http.MethodGet:
		return s.handleGetProject(req)
	case len(parts) == 1 && parts[0] == "logstores" && method == http.MethodGet:
		return s.handleListLogStores(req)
	case len(parts) == 1 && parts[0] == "logstores" && method == http.MethodPost:
		return s.handleCreateLogStore(req)
	case len(parts) >= 1 && parts[0] == "dashboards":
		return s.dispatchDashboards(req, parts[1:])
	}
	return newAPIError(http.StatusNotFound, codeNotSupported,
		"%s %s is not supported by the local SLS emulator", method, req.r.URL.Path)
}

func (s *Server) dispatchLogstore(req *request, rest []string) *apiError {
	method := req.r.Method
	if e := s.requireLogstore(req); e != nil {
		return e
	}
	switch {
	case len(rest) == 0 && method == http.MethodPost:
		return s.handlePutLogs(req, "")
	case len(rest) == 2 && rest[0] == "shards" && rest[1] == "route" && method == http.MethodPost:
		return s.handlePutLogs(req, req.r.URL.Query().Get("key"))
	case len(rest) == 2 && rest[0] == "shards" && rest[1] == "lb" && method == http.MethodPost:
		return s.handlePutLogs(req, "")
	}
	if e := s.settle(); e != nil {
		return e
	}
	switch {
	case len(rest) == 0 && method == http.MethodGet:
		if t := req.r.URL.Query().Get("type"); t == "histogram" {
			return s.handleGetHistograms(req)
		} else if t != "" {
			return newAPIError(http.StatusBadRequest, codeNotSupported,
				"GET ?type=%s is not supported by the local SLS emulator; use POST /logstores/{logstore}/logs", t)
		}
		return s.handleGetLogStore(req)
	case len(rest) == 0 && method == http.MethodDelete:
		return s.handleDeleteLogStore(req)
	case len(rest) == 1 && rest[0] == "logs" && method == http.MethodPost:
		return s.handleGetLogs(req)
	case len(rest) == 1 && rest[0] == "index":
		return s.handleIndex(req)
	case len(rest) == 1 && rest[0] == "shards" && method == http.MethodGet:
		return s.handleListShards(req)
	case len(rest) == 2 && rest[0] == "shards" && method == http.MethodGet:
		return s.handleShardRead(req, rest[1])
	}
	return newAPIError(http.StatusNotFound, codeNotSupported,
		"%s %s is not supported by the local SLS emulator", method, req.r.URL.Path)
}

// settle makes a request other than a write see every group accepted
// before it (ingest.go): reads, and changes to what storing depends on
// (the index a group is stamped with, the logstore it goes to).
func (s *Server) settle() *apiError {
	if err := s.ingest.settle(); err != nil {
		return errInternal(err)
	}
	return nil
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_emulator/healthz" {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
		return
	}
	http.NotFound(w, r)
}
