package fcrt

import (
	"net/http"
	"strconv"
	"time"
)

// Runtime API headers, as fc-runtime-go-sdk v0.3.1 reads them
// (fc/runtime_api_client.go). Deadline and timeout are required: without
// them the SDK drops the invocation without answering.
const (
	hdrRequestID       = "x-fc-request-id"
	hdrDeadline        = "x-fc-function-deadline" // epoch milliseconds
	hdrTimeout         = "x-fc-function-timeout"  // whole seconds
	hdrAccessKeyID     = "x-fc-access-key-id"
	hdrAccessKeySecret = "x-fc-access-key-secret"
	hdrSecurityToken   = "x-fc-security-token"
	hdrFunctionType    = "x-fc-function-type"
	hdrFunctionName    = "x-fc-function-name"
	hdrFunctionHandler = "x-fc-function-handler"
	hdrFunctionMemory  = "x-fc-function-memory"
	hdrServiceName     = "x-fc-service-name"
	hdrLogProject      = "x-fc-service-logproject"
	hdrLogStore        = "x-fc-service-logstore"
	hdrQualifier       = "x-fc-qualifier"
	hdrVersionID       = "x-fc-version-id"
	hdrRegion          = "x-fc-region"
	hdrAccountID       = "x-fc-account-id"
	hdrRetryCount      = "x-fc-retry-count"
	hdrHTTPParams      = "x-fc-http-params"
)

// invocationType is the x-fc-function-type value.
type invocationType int

const (
	typeHandler     invocationType = 0
	typeInitializer invocationType = 1
	typePreStop     invocationType = 2
	// 3 is PreFreeze, which FC 3.0 does not have: never sent.
)

func (t invocationType) String() string {
	switch t {
	case typeInitializer:
		return "initializer"
	case typePreStop:
		return "preStop"
	}
	return "invoke"
}

// headerSeconds is the whole-second timeout FC configures; a sub-second
// local timeout rounds up so the SDK never sees 0.
func headerSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

// runtimeHeaders builds the metadata of one invocation as FC sends it on
// the answer to GET next.
func runtimeHeaders(f *Function, id string, kind invocationType, deadline time.Time, timeout time.Duration, retry int) http.Header {
	cred := f.Credentials()
	h := http.Header{}
	set := func(k, v string) { h[k] = []string{v} } // keep FC's lower-case names verbatim
	set(hdrRequestID, id)
	set(hdrDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	set(hdrTimeout, strconv.Itoa(headerSeconds(timeout)))
	set(hdrAccessKeyID, cred.AccessKeyID)
	set(hdrAccessKeySecret, cred.AccessKeySecret)
	set(hdrSecurityToken, cred.SecurityToken)
	set(hdrFunctionName, f.Name)
	set(hdrFunctionHandler, f.Handler)
	set(hdrFunctionMemory, strconv.Itoa(f.MemoryMB))
	set(hdrServiceName, f.ServiceName)
	set(hdrLogProject, f.LogProject)
	set(hdrLogStore, f.LogStore)
	set(hdrQualifier, f.Qualifier)
	set(hdrVersionID, f.VersionID)
	set(hdrRegion, f.Region)
	set(hdrAccountID, f.AccountID)
	set(hdrRetryCount, strconv.Itoa(retry))
	if kind != typeHandler {
		set(hdrFunctionType, strconv.Itoa(int(kind)))
	}
	return h
}
