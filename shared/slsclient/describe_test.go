package slsclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	sls "github.com/aliyun/aliyun-log-go-sdk"
)

func TestDescribeFlattensTheSDKsErrors(t *testing.T) {
	notExist := &sls.Error{HTTPCode: 404, Code: "LogStoreNotExist", Message: "logstore sms does not exist", RequestID: "5F00AA"}
	bad := sls.NewBadResponseError(strings.Repeat("x", 5000), map[string][]string{"X-Log-Requestid": {"R1"}}, 502)
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("GetLogs p/sms: %w", notExist), "GetLogs p/sms: LogStoreNotExist: logstore sms does not exist (HTTP 404, request 5F00AA)"},
		{fmt.Errorf("PutLogs: %w", sls.NewClientError(errors.New("dial tcp: refused"))), "PutLogs: ClientError: dial tcp: refused (HTTP -1, request id none)"},
		{errors.New("plain"), "plain"},
	} {
		if got := Describe(c.err); got != c.want {
			t.Errorf("Describe(%v)\n got %q\nwant %q", c.err, got, c.want)
		}
	}
	got := Describe(fmt.Errorf("GetLogs: %w", bad))
	if strings.Contains(got, "\n") || len(got) > 400 || !strings.HasPrefix(got, "GetLogs: unreadable answer (HTTP 502)") || strings.Contains(got, "R1") {
		t.Errorf("bad response described as %q: want one line, the body cut, no headers", got)
	}
	if Describe(nil) != "" {
		t.Error("Describe(nil) is not empty")
	}
}
