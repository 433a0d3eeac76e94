package fcrt

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"smsflow/local/acs3"
)

// ControlAPI serves the part of FC 3.0's control API (version 2023-03-30,
// ROA style, ACS3-HMAC-SHA256 signed) that releasing a function needs:
// UpdateFunction (environmentVariables only), PublishFunctionVersion,
// ListFunctionVersions, CreateAlias, GetAlias, UpdateAlias. The official
// darabonba client (CallApi) talks to it unchanged. Paths and shapes:
// docs/conformance.md FC-13..FC-17.
type ControlAPI struct {
	verifier *acs3.Verifier
	logger   *slog.Logger
	now      func() time.Time

	mu        sync.Mutex
	functions map[string]*Versioned
}

// NewControlAPI serves the functions fns.
func NewControlAPI(logger *slog.Logger, fns ...*Versioned) *ControlAPI {
	if logger == nil {
		logger = slog.Default()
	}
	c := &ControlAPI{verifier: &acs3.Verifier{Signed: []string{"host"}, Nonces: acs3.NewNonces()},
		logger: logger, now: time.Now, functions: map[string]*Versioned{}}
	for _, f := range fns {
		c.functions[f.Name()] = f
	}
	return c
}

// Add serves one more function.
func (c *ControlAPI) Add(fn *Versioned) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.functions[fn.Name()] = fn
}

const apiPrefix = "/2023-03-30/functions/"

func (c *ControlAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	status, body := c.handle(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Fc-Request-Id", requestID)
	if m, ok := body.(apiError); ok {
		m.RequestID = requestID
		body = m
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
	c.logger.Info("fc control api", "request_id", requestID, "method", r.Method, "path", r.URL.Path, "status", status)
}

// apiError is FC 3.0's error body (unverified beyond Code/Message, which
// the SDK reads).
type apiError struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	RequestID string `json:"RequestId"`
}

func fail(status int, code, msg string) (int, any) {
	return status, apiError{Code: code, Message: msg}
}

func (c *ControlAPI) handle(r *http.Request) (int, any) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return fail(http.StatusBadRequest, "InvalidArgument", "read body: "+err.Error())
	}
	if _, f := c.verifier.Verify(r, body, c.now()); f != nil {
		rep := signatureRefusal(f)
		var e map[string]string
		_ = json.Unmarshal(rep.body, &e)
		return fail(rep.status, e["errorCode"], e["errorMessage"])
	}
	rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	if !ok {
		return fail(http.StatusNotFound, "NotFound", "no such operation: "+r.Method+" "+r.URL.Path)
	}
	parts := strings.Split(rest, "/")
	c.mu.Lock()
	fn, found := c.functions[parts[0]]
	c.mu.Unlock()
	if !found {
		return fail(http.StatusNotFound, "FunctionNotFound", "function "+parts[0]+" does not exist")
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodPut:
		return updateFunction(fn, body)
	case len(parts) == 2 && parts[1] == "versions" && r.Method == http.MethodPost:
		return publishVersion(fn, body)
	case len(parts) == 2 && parts[1] == "versions" && r.Method == http.MethodGet:
		return listVersions(fn, r)
	case len(parts) == 2 && parts[1] == "aliases" && r.Method == http.MethodPost:
		return createAlias(fn, body)
	case len(parts) == 3 && parts[1] == "aliases" && r.Method == http.MethodGet:
		return aliasReply(fn.GetAlias(parts[2]))
	case len(parts) == 3 && parts[1] == "aliases" && r.Method == http.MethodPut:
		return updateAlias(fn, parts[2], body)
	}
	return fail(http.StatusNotFound, "NotFound", "no such operation: "+r.Method+" "+r.URL.Path)
}

func updateFunction(fn *Versioned, body []byte) (int, any) {
	var in struct {
		EnvironmentVariables map[string]string `json:"environmentVariables"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return fail(http.StatusBadRequest, "InvalidArgument", "body: "+err.Error())
	}
	if in.EnvironmentVariables != nil {
		fn.UpdateEnv(in.EnvironmentVariables)
	}
	latest := fn.Latest()
	return http.StatusOK, map[string]any{"functionName": latest.Name, "environmentVariables": latest.Env,
		"timeout": headerSeconds(latest.Timeout), "memorySize": latest.MemoryMB, "runtime": "go1"}
}

func publishVersion(fn *Versioned, body []byte) (int, any) {
	var in struct {
		Description string `json:"description"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return fail(http.StatusBadRequest, "InvalidArgument", "body: "+err.Error())
		}
	}
	v, err := fn.Publish(in.Description)
	if err != nil {
		return fail(http.StatusInternalServerError, "InternalServerError", err.Error())
	}
	return http.StatusOK, versionJSON(v)
}

func versionJSON(v Version) map[string]any {
	t := v.Created.Format(time.RFC3339)
	return map[string]any{"versionId": v.ID, "description": v.Description, "createdTime": t, "lastModifiedTime": t}
}

// listVersions answers newest first (direction BACKWARD, FC's default),
// paged by limit and nextToken (a version id).
func listVersions(fn *Versioned, r *http.Request) (int, any) {
	q := r.URL.Query()
	limit := 20
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return fail(http.StatusBadRequest, "InvalidArgument", "limit must be within 1..100")
		}
		limit = n
	}
	forward := q.Get("direction") == "FORWARD"
	vs := fn.Versions()
	sort.Slice(vs, func(i, j int) bool {
		a, _ := strconv.Atoi(vs[i].ID)
		b, _ := strconv.Atoi(vs[j].ID)
		return (a < b) == forward
	})
	if tok := q.Get("nextToken"); tok != "" {
		for i, v := range vs {
			if v.ID == tok {
				vs = vs[i:]
				break
			}
		}
	}
	out := map[string]any{"direction": map[bool]string{true: "FORWARD", false: "BACKWARD"}[forward]}
	if len(vs) > limit {
		out["nextToken"] = vs[limit].ID
		vs = vs[:limit]
	}
	list := make([]map[string]any, len(vs))
	for i, v := range vs {
		list[i] = versionJSON(v)
	}
	out["versions"] = list
	return http.StatusOK, out
}

type aliasInput struct {
	AliasName               string             `json:"aliasName"`
	VersionID               *string            `json:"versionId"`
	Description             *string            `json:"description"`
	AdditionalVersionWeight map[string]float64 `json:"additionalVersionWeight"`
}

func createAlias(fn *Versioned, body []byte) (int, any) {
	var in aliasInput
	if err := json.Unmarshal(body, &in); err != nil {
		return fail(http.StatusBadRequest, "InvalidArgument", "body: "+err.Error())
	}
	a := Alias{Name: in.AliasName, Weights: in.AdditionalVersionWeight}
	if in.VersionID != nil {
		a.VersionID = *in.VersionID
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	return aliasReply(fn.CreateAlias(a))
}

func updateAlias(fn *Versioned, name string, body []byte) (int, any) {
	var in aliasInput
	if err := json.Unmarshal(body, &in); err != nil {
		return fail(http.StatusBadRequest, "InvalidArgument", "body: "+err.Error())
	}
	// A present but empty object clears the weight; an absent one keeps it.
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	u := AliasUpdate{VersionID: in.VersionID, Description: in.Description}
	if _, ok := raw["additionalVersionWeight"]; ok {
		u.Weights = in.AdditionalVersionWeight
		if u.Weights == nil {
			u.Weights = map[string]float64{}
		}
	}
	return aliasReply(fn.UpdateAlias(name, u))
}

func aliasReply(a Alias, err error) (int, any) {
	switch {
	case errors.Is(err, ErrAliasNotFound):
		return fail(http.StatusNotFound, "AliasNotFound", err.Error())
	case errors.Is(err, ErrVersionNotFound):
		return fail(http.StatusNotFound, "VersionNotFound", err.Error())
	case errors.Is(err, ErrAliasExists):
		return fail(http.StatusConflict, "AliasAlreadyExists", err.Error())
	case err != nil:
		return fail(http.StatusBadRequest, "InvalidArgument", err.Error())
	}
	weights := a.Weights
	if weights == nil {
		weights = map[string]float64{}
	}
	return http.StatusOK, map[string]any{"aliasName": a.Name, "versionId": a.VersionID, "description": a.Description,
		"additionalVersionWeight": weights, "createdTime": a.Created.Format(time.RFC3339),
		"lastModifiedTime": a.Modified.Format(time.RFC3339)}
}
