package sls

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// apiError is an error the emulator answers in SLS's JSON shape
// {"errorCode","errorMessage"}. The SDK only keeps the HTTP status when the
// body is valid JSON, so every refusal goes through writeError.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error codes. The names and statuses come from the SDK's error_code.go and
// Alibaba's "common error codes" table; docs/local-sls.md lists which ones
// are unverified guesses.
const (
	codeUnauthorized         = "Unauthorized"
	codeSignatureNotMatch    = "SignatureNotMatch"
	codeRequestTimeExpired   = "RequestTimeExpired"
	codeInvalidDateFormat    = "InvalidDateFormat"
	codeMissingDate          = "MissingDate"
	codeProjectNotExist      = "ProjectNotExist"
	codeProjectAlreadyExist  = "ProjectAlreadyExist"
	codeLogStoreNotExist     = "LogStoreNotExist"
	codeLogStoreAlreadyExist = "LogStoreAlreadyExist"
	codeShardNotExist        = "ShardNotExist"
	codeInvalidCursor        = "InvalidCursor"
	codeParameterInvalid     = "ParameterInvalid"
	codePostBodyTooLarge     = "PostBodyTooLarge"
	codePostBodyInvalid      = "PostBodyInvalid"
	codePostBodyUncompress   = "PostBodyUncompressError"
	codeInvalidCompressType  = "InvalidCompressType"
	codeMissingBodyRawSize   = "MissingBodyRawSize"
	codeInvalidBodyRawSize   = "InvalidBodyRawSize"
	codeInvalidContentMD5    = "InvalidContentMD5"
	codeIndexConfigNotExist  = "IndexConfigNotExist"
	codeIndexAlreadyExist    = "IndexAlreadyExist"
	codeInternalServerError  = "InternalServerError"
	codeNotSupported         = "NotSupported"
	codeInvalidTimeRange     = "InvalidTimeRange"
	codeInvalidLine          = "InvalidLine"
	codeInvalidOffset        = "InvalidOffset"
)

func errProjectNotExist(project string) *apiError {
	return newAPIError(http.StatusNotFound, codeProjectNotExist, "The Project does not exist : %s", project)
}

func errLogStoreNotExist(logstore string) *apiError {
	return newAPIError(http.StatusNotFound, codeLogStoreNotExist, "logstore %s does not exist.", logstore)
}

func errInternal(err error) *apiError {
	return newAPIError(http.StatusInternalServerError, codeInternalServerError, "internal server error: %v", err)
}

func errQuery(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, codeParameterInvalid, format, args...)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(map[string]string{"errorCode": e.Code, "errorMessage": e.Message})
	_ = writeBody(w, e.Status, "application/json", body)
}

func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, errInternal(err))
		return
	}
	_ = writeBody(w, http.StatusOK, "application/json", body)
}

// writeBody is how every answer with a body leaves: with its Content-Length,
// as SLS's do (SLS-15), so a large one is not sent chunked.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
