package sls

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	slssdk "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/local/sts"
)

// conformance: SLS-04
func TestSignatureAndTokenFailuresUseSLSCodes(t *testing.T) {
	env := newTestEnv(t, Options{})
	put := func(c *slssdk.Client) error {
		return c.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "k", "v")))
	}
	t.Run("wrong secret", func(t *testing.T) {
		asSLSError(t, put(clientFor(env.ts, sts.LocalAccessKeyID, "not-the-secret", "")), "SignatureNotMatch", 401)
	})
	t.Run("unknown access key", func(t *testing.T) {
		asSLSError(t, put(clientFor(env.ts, "nobody", "x", "")), "Unauthorized", 401)
	})
	t.Run("expired STS token", func(t *testing.T) {
		c := sts.IssueAt(time.Now().Add(-2*time.Hour), time.Hour)
		err := put(clientFor(env.ts, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken))
		asSLSError(t, err, "Unauthorized", 401)
		if e := err.(*slssdk.Error); e.Message != "The security token you provided has expired" {
			t.Errorf("message = %q", e.Message)
		}
	})
	t.Run("forged STS token", func(t *testing.T) {
		c := sts.Issue(time.Hour)
		err := put(clientFor(env.ts, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken+"x"))
		asSLSError(t, err, "Unauthorized", 401)
		if e := err.(*slssdk.Error); e.Message != "The security token you provided is invalid" {
			t.Errorf("message = %q", e.Message)
		}
	})
	t.Run("valid STS token", func(t *testing.T) {
		c := sts.Issue(time.Hour)
		if err := put(clientFor(env.ts, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken)); err != nil {
			t.Fatalf("PutLogs with a fresh STS triple: %v", err)
		}
	})
}

// signedRequest signs like the SDK (its exported SignerV1), so a test can
// tamper with what follows the signature.
func signedRequest(t *testing.T, env *testEnv, method, uri string, headers map[string]string, body []byte) *http.Request {
	t.Helper()
	headers["Date"] = time.Now().UTC().Format(http.TimeFormat)
	headers["x-log-apiversion"] = "0.6.0"
	if err := slssdk.NewSignerV1(sts.LocalAccessKeyID, sts.LocalAccessKeySecret).Sign(method, uri, headers, body); err != nil {
		t.Fatalf("sign: %v", err)
	}
	req, err := http.NewRequest(method, "http://"+testProject+"."+env.ts.Listener.Addr().String()+uri, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

func doJSONError(t *testing.T, env *testEnv, req *http.Request) (int, string) {
	t.Helper()
	resp, err := LocalHTTPClient(env.ts.Listener.Addr().String()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Code string `json:"errorCode"`
		Msg  string `json:"errorMessage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("error body is not SLS JSON: %v", err)
	}
	return resp.StatusCode, body.Code
}

// conformance: SLS-01
func TestBodyNotMatchingContentMD5IsRefused(t *testing.T) {
	env := newTestEnv(t, Options{})
	body := []byte("original body")
	req := signedRequest(t, env, "POST", "/logstores/"+testLogstore, map[string]string{
		"Content-Type": "application/x-protobuf", "x-log-bodyrawsize": "13",
	}, body)
	req.Body = http.NoBody
	tampered := []byte("tampered body")
	req.Body, req.ContentLength = nopCloser{bytes.NewReader(tampered)}, int64(len(tampered))
	status, code := doJSONError(t, env, req)
	if status != 400 || code != "InvalidContentMD5" {
		t.Fatalf("got %d %s, want 400 InvalidContentMD5", status, code)
	}
}

// conformance: SLS-01
func TestBodyAndCompressionChecks(t *testing.T) {
	env := newTestEnv(t, Options{})
	cases := []struct {
		name    string
		headers map[string]string
		body    []byte
		status  int
		code    string
	}{
		{"unknown compression", map[string]string{"x-log-compresstype": "snappy", "x-log-bodyrawsize": "3"}, []byte("abc"), 400, "InvalidCompressType"},
		{"missing raw size", map[string]string{}, []byte("abc"), 400, "MissingBodyRawSize"},
		{"raw size too large", map[string]string{"x-log-bodyrawsize": "20000000", "x-log-compresstype": "lz4"}, []byte("abc"), 413, "PostBodyTooLarge"},
		{"broken lz4", map[string]string{"x-log-bodyrawsize": "100", "x-log-compresstype": "lz4"}, []byte{0xff, 0xff, 0xff}, 400, "PostBodyUncompressError"},
		{"not protobuf", map[string]string{"x-log-bodyrawsize": "3"}, []byte{0xff, 0xff, 0xff}, 400, "PostBodyInvalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.headers["Content-Type"] = "application/x-protobuf"
			req := signedRequest(t, env, "POST", "/logstores/"+testLogstore, tc.headers, tc.body)
			status, code := doJSONError(t, env, req)
			if status != tc.status || code != tc.code {
				t.Fatalf("got %d %s, want %d %s", status, code, tc.status, tc.code)
			}
		})
	}
}

// conformance: SLS-03
func TestBodyOverTenMegabytesIsRefused(t *testing.T) {
	env := newTestEnv(t, Options{})
	body := bytes.Repeat([]byte{1}, maxBodyBytes+10)
	req := signedRequest(t, env, "POST", "/logstores/"+testLogstore, map[string]string{
		"Content-Type": "application/x-protobuf", "x-log-bodyrawsize": itoa(int64(len(body))),
	}, body)
	status, code := doJSONError(t, env, req)
	if status != 413 || code != "PostBodyTooLarge" {
		t.Fatalf("got %d %s, want 413 PostBodyTooLarge", status, code)
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
