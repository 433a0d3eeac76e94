package fcrt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// httpReply is what the gateway writes back for one invocation.
type httpReply struct {
	status  int
	headers map[string]string
	body    []byte
}

// httpTriggerResponse is events.HTTPTriggerResponse as FC reads it.
type httpTriggerResponse struct {
	StatusCode      *int              `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Body            *string           `json:"body"`
}

// Headers the gateway owns: a function cannot set them.
var gatewayOwnedHeaders = map[string]bool{
	"Content-Length":    true,
	"Connection":        true,
	"Keep-Alive":        true,
	"Transfer-Encoding": true,
	"Upgrade":           true,
	"X-Fc-Request-Id":   true,
}

// replyFromPayload maps a successful invocation's payload onto the HTTP
// response. A JSON object with "statusCode" is an HTTP trigger response;
// anything else is returned as it is with status 200 (FC, like a function
// URL, infers a response from a plain result).
func replyFromPayload(payload []byte) (httpReply, error) {
	trimmed := bytes.TrimSpace(payload)
	var resp httpTriggerResponse
	if len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &resp) == nil && resp.StatusCode != nil {
		return replyFromTriggerResponse(resp)
	}
	ct := "text/plain; charset=utf-8"
	if json.Valid(trimmed) {
		ct = "application/json"
	}
	return httpReply{status: http.StatusOK, headers: map[string]string{"Content-Type": ct}, body: payload}, nil
}

func replyFromTriggerResponse(resp httpTriggerResponse) (httpReply, error) {
	status := *resp.StatusCode
	if status == 0 {
		// A Go handler that leaves StatusCode unset sends 0; FC treats a
		// missing status as 200 (unverified for an explicit 0).
		status = http.StatusOK
	}
	if status < 100 || status > 599 {
		return httpReply{}, fmt.Errorf("function returned invalid statusCode %d", status)
	}
	var body []byte
	if resp.Body != nil {
		body = []byte(*resp.Body)
		if resp.IsBase64Encoded {
			var err error
			if body, err = base64.StdEncoding.DecodeString(*resp.Body); err != nil {
				return httpReply{}, errors.New("function returned isBase64Encoded with a body that is not base64")
			}
		}
	}
	headers := map[string]string{}
	for k, v := range resp.Headers {
		if !gatewayOwnedHeaders[http.CanonicalHeaderKey(k)] {
			headers[k] = v
		}
	}
	return httpReply{status: status, headers: headers, body: body}, nil
}

// write sends the reply with FC's request id header.
func (rep httpReply) write(w http.ResponseWriter, requestID string) {
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("X-Fc-Request-Id", requestID)
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// invocationFailedReply is FC's answer when the function failed or timed
// out behind an HTTP trigger: 502 with X-Fc-Error-Type
// UnhandledInvocationError and the error JSON as body.
func invocationFailedReply(res Result) httpReply {
	return httpReply{
		status: http.StatusBadGateway,
		headers: map[string]string{
			"Content-Type":    "application/json",
			"X-Fc-Error-Type": "UnhandledInvocationError",
		},
		body: res.ErrorJSON(),
	}
}

// platformErrorReply is an error FC itself answers (FcCommonError), with
// FC's {"errorCode","errorMessage"} body.
func platformErrorReply(status int, code, message string) httpReply {
	body, _ := json.Marshal(map[string]string{"errorCode": code, "errorMessage": message})
	return httpReply{
		status: status,
		headers: map[string]string{
			"Content-Type":    "application/json",
			"X-Fc-Error-Type": "FcCommonError",
		},
		body: body,
	}
}
