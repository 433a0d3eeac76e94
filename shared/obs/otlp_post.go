package obs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"smsflow/shared/pbwire"

	"smsflow/shared/redact"
	"smsflow/shared/scrub"
	"smsflow/shared/text"
)

const (
	contentTypeProto = "application/x-protobuf"
	otlpUserAgent    = "smsflow-otlp/1 (OTLP/HTTP protobuf)"
	// maxAnswer is what we read of any answer: a success holds a few bytes
	// of partial_success, a refusal a short Status.
	maxAnswer = 64 << 10
	// maxExcerpt is what of an answer may reach an error or a log line.
	maxExcerpt = 200
	// minSecretLen: header values shorter than this (a project name "p")
	// are not credentials, and hiding them would shred the excerpt.
	minSecretLen = 8
)

// otlpPoster POSTs an encoded OTLP/HTTP request, retrying as the OTLP
// specification says, all within one bound.
type otlpPoster struct {
	client  *http.Client
	url     string
	headers map[string]string
	bound   time.Duration
}

// partialSuccess is what a 200 answer may still say (OTLP "Partial
// Success"): spans it rejected, or a warning when rejected is 0. The
// message is already an excerpt, fit for a log line.
type partialSuccess struct {
	rejected int64
	message  string
}

// statusError is an answer that is not a success.
type statusError struct {
	status  int
	excerpt string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("OTLP receiver answered HTTP %d: %s", e.status, e.excerpt)
}

// post sends body until it is accepted, a refusal is final, or the bound
// (ctx's deadline and the poster's own) is spent. A partial success is
// final: the specification forbids retrying it. conformance: OT-09
func (p *otlpPoster) post(ctx context.Context, body []byte) (partialSuccess, error) {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 20*time.Millisecond, p.bound/2
	return backoff.Retry(ctx, func() (partialSuccess, error) { return p.attempt(ctx, body) },
		backoff.WithBackOff(b), backoff.WithMaxElapsedTime(p.bound))
}

// attempt makes one request. Its error is wrapped in backoff.Permanent
// unless the specification lists it as retryable.
func (p *otlpPoster) attempt(ctx context.Context, body []byte) (partialSuccess, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return partialSuccess{}, backoff.Permanent(redact.Error(err))
	}
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", contentTypeProto)
	req.Header.Set("User-Agent", otlpUserAgent)
	resp, err := p.client.Do(req)
	if errors.Is(err, errCredentials) {
		return partialSuccess{}, backoff.Permanent(redact.Error(err))
	}
	if err != nil {
		// The receiver may be restarting or a connection reset: the
		// specification retries a request that got no answer.
		return partialSuccess{}, redact.Error(err)
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	// Every header value we sent, whatever RoundTripper added it (the
	// role's credentials), is hidden should the receiver echo it.
	sent := req.Header
	if resp.Request != nil {
		sent = resp.Request.Header
	}
	if resp.StatusCode/100 == 2 {
		if readErr != nil || !isProto(resp.Header.Get("Content-Type")) {
			return partialSuccess{}, nil // accepted; nothing more we can read
		}
		ps := partialOf(answer)
		if ps.message != "" {
			ps.message = excerpt(ps.message, secretsOf(sent, p.headers))
		}
		return ps, nil
	}
	serr := &statusError{status: resp.StatusCode, excerpt: excerpt(answerText(answer, resp.Header.Get("Content-Type")), secretsOf(sent, p.headers))}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			// backoff waits d instead of its own interval, and gives up
			// at once if d would end past the bound.
			return partialSuccess{}, fmt.Errorf("%w (%w)", serr, &backoff.RetryAfterError{Duration: d})
		}
		return partialSuccess{}, serr
	}
	return partialSuccess{}, backoff.Permanent(serr)
}

func isProto(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == contentTypeProto
}

// retryAfter reads Retry-After: delay-seconds or an HTTP date (RFC 9110).
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// partialOf reads ExportTraceServiceResponse{1: ExportTracePartialSuccess
// {1: int64 rejected_spans, 2: string error_message}} without its
// generated package (which would link gRPC). An answer it cannot read
// counts as a plain success: the status already said the spans are in.
func partialOf(b []byte) partialSuccess {
	var inner []byte
	if !fields(b, func(num pbwire.Number, typ pbwire.Type, _ uint64, v []byte) {
		if num == 1 && typ == pbwire.BytesType {
			inner = v
		}
	}) {
		return partialSuccess{}
	}
	var ps partialSuccess
	if !fields(inner, func(num pbwire.Number, typ pbwire.Type, n uint64, v []byte) {
		switch {
		case num == 1 && typ == pbwire.VarintType:
			ps.rejected = int64(n)
		case num == 2 && typ == pbwire.BytesType:
			ps.message = string(v)
		}
	}) {
		return partialSuccess{}
	}
	return ps
}

// answerText is what a refusal says: the message of the google.rpc.Status
// the specification asks for (field 2), else the body as it came.
func answerText(b []byte, contentType string) string {
	var msg []byte
	if isProto(contentType) && fields(b, func(num pbwire.Number, typ pbwire.Type, _ uint64, v []byte) {
		if num == 2 && typ == pbwire.BytesType {
			msg = v
		}
	}) && msg != nil {
		return string(msg)
	}
	return string(b)
}

// fields walks the top-level fields of a protobuf message, giving f each
// one's number, wire type and value (a varint's number, a length-delimited
// field's bytes; other types are skipped). False: b is not well-formed.
func fields(b []byte, f func(num pbwire.Number, typ pbwire.Type, varint uint64, bytes []byte)) bool {
	for len(b) > 0 {
		num, typ, n := pbwire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		switch typ {
		case pbwire.VarintType:
			v, m := pbwire.ConsumeVarint(b)
			n = m
			if m >= 0 {
				f(num, typ, v, nil)
			}
		case pbwire.BytesType:
			v, m := pbwire.ConsumeBytes(b)
			n = m
			if m >= 0 {
				f(num, typ, 0, v)
			}
		default:
			n = pbwire.ConsumeFieldValue(typ, b)
		}
		if n < 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// secretsOf lists the header values that may be credentials: every value
// sent (configured headers may hold a receiver's token; the role's keys
// are added on the way out), long enough to be one.
func secretsOf(sent http.Header, configured map[string]string) []string {
	var out []string
	add := func(v string) {
		if len(v) >= minSecretLen {
			out = append(out, v)
		}
	}
	for k, vs := range sent {
		if k == "Content-Type" || k == "User-Agent" {
			continue
		}
		for _, v := range vs {
			add(v)
		}
	}
	for _, v := range configured {
		add(v)
	}
	return out
}

// excerpt makes an answer fit for an error and a log line: at most
// maxExcerpt bytes of it, every secret hidden (also one the cut left
// half), URLs and credential-named parameters redacted, and unprintable
// bytes escaped, so a hostile or broken receiver cannot flood or forge
// our diagnostics.
func excerpt(s string, secrets []string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "(empty body)"
	}
	cut := len(s) > maxExcerpt
	if cut {
		n := maxExcerpt
		for n > 0 && s[n]&0xC0 == 0x80 { // not inside a UTF-8 sequence
			n--
		}
		s = s[:n]
	}
	s = scrub.Text(s, nil, secrets)
	if cut {
		s = trimSecretPrefix(s, secrets) + "…"
	}
	return text.Escape(redact.Text(s))
}

// trimSecretPrefix drops the end of s when it is the start of a secret
// that the cut split.
func trimSecretPrefix(s string, secrets []string) string {
	for _, sec := range secrets {
		for k := min(len(sec)-1, len(s)); k >= 4; k-- {
			if strings.HasSuffix(s, sec[:k]) {
				s = s[:len(s)-k]
				break
			}
		}
	}
	return s
}
