package sls

import (
	"net"
	"strings"
)

// projectFromHost reads the project from a host-style address
// "<project>.<endpoint>[:port]". A bare IP or single-label host carries no
// project (the SDK sends project-less calls straight to the endpoint).
func projectFromHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil {
		return ""
	}
	project, rest, ok := strings.Cut(host, ".")
	if !ok || rest == "" {
		return ""
	}
	return project
}
