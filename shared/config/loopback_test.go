package config

import "testing"

// IsLoopback opens local-only shortcuts (a long-lived key, the local
// stack's token): only an endpoint whose host is loopback passes, written
// with or without the scheme the SLS and FC endpoints may carry.
func TestIsLoopbackReadsTheHostWithOrWithoutAScheme(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"127.0.0.1:9400":                        true,
		"localhost":                             true,
		"[::1]:9400":                            true,
		"http://127.0.0.1:9400":                 true,
		"https://localhost:9400":                true,
		"http://[::1]:9400":                     true,
		"cn-hangzhou-intranet.log.aliyuncs.com": false,
		"https://cn-hangzhou.log.aliyuncs.com":  false,
		"http://127.0.0.1@example.com":          false, // userinfo, then the real host
		"http://127.0.0.1:9400@example.com:80":  false,
		"http://":                               false,
		"http://%zz":                            false,
	} {
		if got := IsLoopback(endpoint); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", endpoint, got, want)
		}
	}
}
