package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"unicode"
)

// The shapes of endpoint and name settings. Each check says what is wrong
// without quoting the value: a Redis address may hold a pasted password,
// and a value with a control character would garble the log line.

// hostPortProblem says what keeps s from being host[:port] (a DNS name or
// an IP address, an optional port 1-65535; no scheme, path, query, user
// or whitespace), or "" when nothing does. needPort requires the port.
func hostPortProblem(s string, needPort bool) string {
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "it holds whitespace or a control character"
		}
	}
	switch {
	case s == "":
		return "it is empty"
	case strings.Contains(s, "://"):
		return "it has a scheme"
	case strings.ContainsAny(s, "/?#@"):
		return "it has a path, query, fragment or user"
	}
	host, port, hasPort := s, "", false
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1] // [IPv6] without a port
	} else if strings.Contains(s, ":") {
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "it is not host[:port] (an IPv6 address goes in brackets)"
		}
		host, port, hasPort = h, p, true
	}
	switch {
	case host == "":
		return "its host is empty"
	case strings.Contains(host, ":") && net.ParseIP(host) == nil:
		return "its host is not an IP address"
	case !strings.Contains(host, ":") && strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != "":
		return "its host holds a character no host name has"
	case hasPort && !ValidPort(port):
		return "its port is not a number from 1 to 65535"
	case needPort && !hasPort:
		return "it has no port"
	}
	return ""
}

// ValidPort reports whether p is a port a connection can be made to:
// digits only, 1 to 65535.
func ValidPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strings.Trim(p, "0123456789") == ""
}

// checkHostPort refuses a value of key that is not host[:port].
func checkHostPort(key, value string) error {
	if p := hostPortProblem(value, false); p != "" {
		return fmt.Errorf("%s must be host[:port], without scheme, path or spaces: %s", key, p)
	}
	return nil
}

// checkEndpointURL refuses a value of key that is neither host[:port] nor
// one with an http:// or https:// prefix (what slsput and the FC control
// API client take: the prefix picks the scheme). Empty means the default.
func checkEndpointURL(key, value string) error {
	if value == "" {
		return nil
	}
	rest, ok := strings.CutPrefix(value, "https://")
	if !ok {
		rest, _ = strings.CutPrefix(value, "http://")
	}
	if p := hostPortProblem(rest, false); p != "" {
		return fmt.Errorf("%s must be host[:port], optionally after http:// or https://, without path or spaces: %s", key, p)
	}
	return nil
}

// SLS's naming rules. Project: 3 to 63 characters, lower-case letters,
// digits and hyphens, starting and ending with a letter or a digit
// (Alibaba Cloud, ROS ALIYUN::SLS::Project, "Name" constraint). Logstore:
// lower-case letters, digits, hyphens and underscores, starting and ending
// with a letter or a digit, 2 to 63 characters (SLS doc 29056, "Logstore
// naming rules"; newer pages say 3 to 63: 2 is kept so that a logstore
// made under the older rule still loads). docs/conformance.md SLS-17. The
// local SLS emulator does not check names; it is not made to share this
// reading of the docs.
const (
	projectChars  = "abcdefghijklmnopqrstuvwxyz0123456789-"
	logstoreChars = "abcdefghijklmnopqrstuvwxyz0123456789-_"
)

func slsNameProblem(name, chars string, minLen int) string {
	switch {
	case len(name) < minLen || len(name) > 63:
		return fmt.Sprintf("it is %d characters long, not %d to 63", len(name), minLen)
	case strings.IndexFunc(name, func(r rune) bool { return !strings.ContainsRune(chars, r) }) >= 0:
		return "it holds a character other than " + describeChars(chars)
	case !alnum(name[0]) || !alnum(name[len(name)-1]):
		return "it does not start and end with a lower-case letter or a digit"
	}
	return ""
}

func describeChars(chars string) string {
	if strings.Contains(chars, "_") {
		return "lower-case letters, digits, hyphens and underscores"
	}
	return "lower-case letters, digits and hyphens"
}

func alnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }

// checkSLSNames refuses a project or logstore name SLS cannot have. An
// empty name is not checked: it means the function's bound one.
func checkSLSNames(projectKey, project, logstoreKey, logstore string) error {
	if project != "" {
		if p := slsNameProblem(project, projectChars, 3); p != "" {
			return fmt.Errorf("%s is not an SLS project name: %s", projectKey, p)
		}
	}
	if logstore != "" {
		if p := slsNameProblem(logstore, logstoreChars, 2); p != "" {
			return fmt.Errorf("%s is not an SLS logstore name: %s", logstoreKey, p)
		}
	}
	return nil
}
