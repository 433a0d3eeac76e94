package main

import (
	"io"
	"strings"
	"testing"
)

// Against Alibaba Cloud every command refuses a long-lived AccessKey, as
// the functions do. trace signed with whatever the chain gave while it
// lived in the local stack's launcher.
func TestCommandsRefuseALongLivedKeyInTheCloud(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "not-a-real-key-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "example")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")
	cloud := []string{"-endpoint", "cn-hangzhou.log.aliyuncs.com", "-project", "p", "-logstore", "sms"}
	for name, run := range map[string]func() error{
		"provision": func() error { return runProvision(append(cloud, "-timeout", "2s"), io.Discard) },
		"trace": func() error {
			return runTrace(append([]string{"0123456789abcdef0123456789abcdef"}, cloud...), io.Discard)
		},
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), "long-lived") {
			t.Errorf("%s: err = %v, want the long-lived key refused", name, err)
		}
	}
}
