package fcrt

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// BodyEncoding chooses when the HTTP trigger base64-encodes the request body.
type BodyEncoding int

const (
	// Base64Binary encodes only bodies that are not text (FC's documented
	// rule: "if the request's content type is binary, the body is base64
	// encoded"). Text is: text/*, JSON, XML, JavaScript, form-urlencoded,
	// and *+json / *+xml, when the bytes are valid UTF-8.
	Base64Binary BodyEncoding = iota
	// Base64Always encodes every non-empty body: use it to prove a handler
	// copes with either answer.
	Base64Always
)

// httpTriggerEvent is the FC 3.0 HTTP trigger event (events.HTTPTriggerEvent
// on the function's side), with FC's field names and string types.
type httpTriggerEvent struct {
	Version         string            `json:"version"`
	RawPath         string            `json:"rawPath"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	Headers         map[string]string `json:"headers"`
	QueryParameters map[string]string `json:"queryParameters"`
	RequestContext  httpRequestCtx    `json:"requestContext"`
}

type httpRequestCtx struct {
	AccountID    string   `json:"accountId"`
	DomainName   string   `json:"domainName"`
	DomainPrefix string   `json:"domainPrefix"`
	HTTP         httpInfo `json:"http"`
	RequestID    string   `json:"requestId"`
	Time         string   `json:"time"`      // RFC 3339, UTC, seconds
	TimeEpoch    string   `json:"timeEpoch"` // epoch milliseconds, as a string
}

type httpInfo struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// newHTTPTriggerEvent maps a request onto the event FC hands a built-in
// runtime. Repeated header and query values are comma-joined.
func newHTTPTriggerEvent(r *http.Request, body []byte, requestID string, now time.Time, cfg GatewayConfig) httpTriggerEvent {
	headers := make(map[string]string, len(r.Header)+1)
	for k, v := range r.Header {
		headers[k] = strings.Join(v, ",")
	}
	if r.Host != "" {
		headers["Host"] = r.Host // net/http moves Host out of r.Header
	}
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	ev := httpTriggerEvent{
		Version:         "v1",
		RawPath:         r.URL.EscapedPath(),
		Headers:         headers,
		QueryParameters: query,
		RequestContext: httpRequestCtx{
			AccountID:    cfg.AccountID,
			DomainName:   r.Host,
			DomainPrefix: cfg.DomainPrefix,
			HTTP: httpInfo{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r.RemoteAddr),
				UserAgent: r.UserAgent(),
			},
			RequestID: requestID,
			Time:      now.UTC().Format(time.RFC3339),
			TimeEpoch: strconv.FormatInt(now.UnixMilli(), 10),
		},
	}
	if len(body) > 0 {
		if cfg.BodyEncoding == Base64Always || !isTextBody(r.Header.Get("Content-Type"), body) {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

func sourceIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// isTextBody reports whether FC would pass the body as plain text.
func isTextBody(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false // no or unparsable content type: treat as binary
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json",
		mt == "application/xml",
		mt == "application/javascript",
		mt == "application/x-www-form-urlencoded",
		strings.HasSuffix(mt, "+json"),
		strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}
