// Package fchttp runs an ordinary http.Handler behind the FC 3.0 HTTP
// trigger: the trigger event becomes an *http.Request, whatever the handler
// writes becomes the trigger response. The handler cannot tell it is not
// under net/http, which is the point (aws-lambda-go's httpadapter does the
// same for API Gateway).
package fchttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aliyun/fc-runtime-go-sdk/events"

	"smsflow/shared/redact"
)

// Handler adapts h to the signature fc.Start expects.
func Handler(h http.Handler) func(context.Context, events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
	return func(ctx context.Context, ev events.HTTPTriggerEvent) (*events.HTTPTriggerResponse, error) {
		req, err := Request(ctx, ev)
		if err != nil {
			return &events.HTTPTriggerResponse{StatusCode: http.StatusBadRequest,
				Headers: map[string]string{"Content-Type": "application/json"},
				Body:    `{"error":{"code":"bad_trigger_event","message":"the HTTP trigger event could not be read"}}`}, nil
		}
		rw := newResponseWriter()
		h.ServeHTTP(rw, req)
		return rw.response(), nil
	}
}

// Request builds the *http.Request an HTTP trigger event describes.
func Request(ctx context.Context, ev events.HTTPTriggerEvent) (*http.Request, error) {
	body, err := eventBody(ev)
	if err != nil {
		return nil, err
	}
	method := deref(ev.TriggerContext.Http.Method)
	if method == "" {
		method = http.MethodGet
	}
	path := deref(ev.RawPath)
	if path == "" {
		path = deref(ev.TriggerContext.Http.Path)
	}
	u := &url.URL{Path: path}
	if ev.QueryParameters != nil {
		q := url.Values{}
		for k, v := range *ev.QueryParameters {
			// FC joins repeated values with commas.
			q[k] = strings.Split(v, ",")
		}
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.RequestURI(), bytes.NewReader(body))
	if err != nil {
		// The path may be a secret (the receipts push token).
		return nil, fmt.Errorf("fchttp: building request: %w", redact.Error(err))
	}
	if ev.Headers != nil {
		// Two keys that differ only in case are one header in HTTP: both
		// values are kept, in a fixed order, as net/http would keep two
		// header lines. Set in map order would keep one, chosen at random,
		// where the handler must see both (two Idempotency-Keys or two
		// Authorizations are refused, not picked from).
		for _, k := range slices.Sorted(maps.Keys(*ev.Headers)) {
			req.Header.Add(k, (*ev.Headers)[k])
		}
	}
	req.Host = deref(ev.TriggerContext.DomainName)
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	req.RemoteAddr = deref(ev.TriggerContext.Http.SourceIp)
	req.RequestURI = u.RequestURI()
	req.Proto = deref(ev.TriggerContext.Http.Protocol)
	req.ContentLength = int64(len(body))
	return req, nil
}

func eventBody(ev events.HTTPTriggerEvent) ([]byte, error) {
	if ev.Body == nil {
		return nil, nil
	}
	if ev.IsBase64Encoded != nil && *ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(*ev.Body)
		if err != nil {
			return nil, fmt.Errorf("fchttp: body is not valid base64: %w", err)
		}
		return b, nil
	}
	return []byte(*ev.Body), nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// responseWriter collects what the handler writes.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newResponseWriter() *responseWriter { return &responseWriter{header: http.Header{}} }

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

var _ io.Writer = (*responseWriter)(nil)

// response encodes the body in base64 always: the trigger then passes any
// bytes through untouched, whatever the content type.
func (w *responseWriter) response() *events.HTTPTriggerResponse {
	w.WriteHeader(http.StatusOK)
	headers := make(map[string]string, len(w.header))
	for k, v := range w.header {
		headers[k] = strings.Join(v, ", ")
	}
	return &events.HTTPTriggerResponse{
		StatusCode:      w.status,
		Headers:         headers,
		IsBase64Encoded: true,
		Body:            base64.StdEncoding.EncodeToString(w.body.Bytes()),
	}
}
