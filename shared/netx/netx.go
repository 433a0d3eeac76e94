// Package netx holds what our clients need to know about network errors.
package netx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
)

// NotSent is true only when a request provably never left: it could not
// even be built (its URL does not parse, e.g. an endpoint with a space or a
// bad port), no connection was made (refused, unreachable, DNS failure),
// or its TLS handshake failed (a refused certificate, a plain-HTTP server
// behind an https:// URL), which happens before any byte of the request is
// written. Anything later (a timeout while waiting for the answer, a reset)
// may have reached the other side, which matters to every call that is not
// idempotent.
func NotSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) || unbuilt(err) || handshakeFailed(err)
}

// unbuilt reports url.Parse's own error, which http.NewRequest returns
// before there is a request (the SDKs of Dysmsapi and Tencent return it
// as it is). Only the outermost *url.Error counts: http.Client.Do wraps
// its errors in one whose Op is the method ("Post"), so a parse error
// met while a request was under way (a redirect's Location) is never
// taken for this.
func unbuilt(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Op == "parse"
}

func handshakeFailed(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	return errors.As(err, &verify) || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &header) || errors.Is(err, http.ErrSchemeMismatch)
}
