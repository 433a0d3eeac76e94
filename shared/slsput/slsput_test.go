package slsput_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	localsls "smsflow/local/sls"
	"smsflow/local/sts"
	"smsflow/shared/creds"
	"smsflow/shared/slsclient"
	"smsflow/shared/slsput"
)

type captured struct {
	method, path, query, host string
	header                    http.Header
	body                      []byte
}

// recorder answers 200 and keeps every request.
func recorder(t *testing.T) (*httptest.Server, func() []captured) {
	var mu sync.Mutex
	var got []captured
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Clone(), b})
		mu.Unlock()
	}))
	t.Cleanup(hs.Close)
	return hs, func() []captured { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
}

var triple = creds.Triple{AccessKeyID: "STS.id", AccessKeySecret: "secret", SecurityToken: "token"}

func group() *slsput.Group {
	at := time.Date(2026, 12, 3, 1, 2, 3, 4, time.UTC)
	return &slsput.Group{Topic: "send", Source: "i-1", Logs: []slsput.Log{
		{Time: at, Contents: []slsput.Content{{Key: "event", Value: "sms.result"}, {Key: "message", Value: strings.Repeat("compressible ", 40)}}},
		{Time: at, Contents: []slsput.Content{{Key: "event", Value: "sms.request"}}},
	}}
}

func toSDK(g *slsput.Group) *sls.LogGroup {
	out := &sls.LogGroup{Topic: &g.Topic, Source: &g.Source}
	for _, l := range g.Logs {
		sec, ns := uint32(l.Time.Unix()), uint32(l.Time.Nanosecond())
		sl := &sls.Log{Time: &sec, TimeNs: &ns}
		for _, c := range l.Contents {
			sl.Contents = append(sl.Contents, &sls.LogContent{Key: &c.Key, Value: &c.Value})
		}
		out.Logs = append(out.Logs, sl)
	}
	return out
}

// What we send is what the SDK sends for the same group: path, query,
// virtual host, body (LZ4 block), the headers SLS reads, and a signature
// the SDK's signer computes alike over our request.
// conformance: SLS-14
func TestRequestIsTheSDKs(t *testing.T) {
	for _, hashKey := range []string{"", "00000000000000000000000000000000"} {
		hs, requests := recorder(t)
		endpoint := strings.TrimPrefix(hs.URL, "http://")
		live := &slsclient.Live{}
		live.Set(sls.Credentials{AccessKeyID: triple.AccessKeyID, AccessKeySecret: triple.AccessKeySecret, SecurityToken: triple.SecurityToken})
		sdk := slsclient.New(endpoint, live, 5*time.Second)
		var err error
		if hashKey == "" {
			err = sdk.PutLogs("p", "events", toSDK(group()))
		} else {
			key := hashKey
			err = sdk.PostLogStoreLogs("p", "events", toSDK(group()), &key)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := slsput.New(endpoint, 5*time.Second).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "events", HashKey: hashKey}, group()); err != nil {
			t.Fatal(err)
		}
		got := requests()
		if len(got) != 2 {
			t.Fatalf("%d requests", len(got))
		}
		theirs, ours := got[0], got[1]
		if ours.method != theirs.method || ours.path != theirs.path || ours.query != theirs.query || ours.host != theirs.host || string(ours.body) != string(theirs.body) {
			t.Errorf("ours %s %s?%s host %s (%d bytes), the SDK's %s %s?%s host %s (%d bytes)",
				ours.method, ours.path, ours.query, ours.host, len(ours.body), theirs.method, theirs.path, theirs.query, theirs.host, len(theirs.body))
		}
		for k := range theirs.header {
			switch k {
			case "Date", "Authorization", "User-Agent", "Accept-Encoding":
				continue
			}
			if ours.header.Get(k) != theirs.header.Get(k) {
				t.Errorf("header %s: ours %q, the SDK's %q", k, ours.header.Get(k), theirs.header.Get(k))
			}
		}
		if ours.header.Get("X-Log-Compresstype") != "lz4" || ours.header.Get("Date") == "" {
			t.Errorf("headers %v", ours.header)
		}
		// The SDK's signer over our request, keyed as the SDK keys it.
		h := map[string]string{"Content-Type": ours.header.Get("Content-Type"), "Date": ours.header.Get("Date")}
		for k := range ours.header {
			if l := strings.ToLower(k); strings.HasPrefix(l, "x-") {
				h[l] = ours.header.Get(k)
			}
		}
		uri := ours.path
		if ours.query != "" {
			uri += "?" + ours.query
		}
		if err := sls.NewSignerV1(triple.AccessKeyID, triple.AccessKeySecret).Sign("POST", uri, h, ours.body); err != nil {
			t.Fatal(err)
		}
		if h["Authorization"] != ours.header.Get("Authorization") {
			t.Errorf("signature %q, the SDK's signer says %q", ours.header.Get("Authorization"), h["Authorization"])
		}
	}
}

// Against the local SLS, which verifies signatures and STS tokens as SLS
// does: a group written is read back whole; a wrong secret is refused
// with SLS's code.
// conformance: SLS-14
func TestTheLocalSLSTakesWhatWeWrite(t *testing.T) {
	srv, err := localsls.New(localsls.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	idx := sls.Index{Keys: map[string]sls.IndexKey{"event": {Type: "text", DocValue: true, Token: []string{" "}}}, Line: &sls.IndexLine{Token: []string{" "}}}
	for _, err := range []error{srv.EnsureProject("p"), srv.EnsureLogstore("p", "events"), srv.EnsureIndex("p", "events", idx)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	endpoint := strings.TrimPrefix(hs.URL, "http://")
	c := sts.Issue(time.Hour)
	good := creds.Triple{AccessKeyID: c.AccessKeyID, AccessKeySecret: c.AccessKeySecret, SecurityToken: c.SecurityToken}
	g := group()
	g.Logs[0].Time, g.Logs[1].Time = time.Now(), time.Now()
	client := slsput.New(endpoint, 5*time.Second)
	if err := client.PutLogs(context.Background(), good, slsput.Dest{Project: "p", Logstore: "events"}, g); err != nil {
		t.Fatal(err)
	}
	// Bytes LZ4 cannot shrink go uncompressed, which SLS takes too.
	noise := make([]byte, 64)
	rand.Read(noise)
	incompressible := &slsput.Group{Topic: "send", Source: "i-1", Logs: []slsput.Log{{Time: time.Now(), Contents: []slsput.Content{{Key: "event", Value: hex.EncodeToString(noise)}}}}}
	if err := client.PutLogs(context.Background(), good, slsput.Dest{Project: "p", Logstore: "events"}, incompressible); err != nil {
		t.Fatal(err)
	}
	live := &slsclient.Live{}
	live.Set(sls.Credentials{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret})
	rows, err := slsclient.Query(slsclient.New(endpoint, live, 5*time.Second), "p", "events", "event: sms.*", time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := slsclient.Query(slsclient.New(endpoint, live, 5*time.Second), "p", "events", "*", time.Now().Add(-time.Minute), time.Now().Add(time.Minute), 100); len(all) != 3 {
		t.Fatalf("read back %d logs, want 3", len(all))
	}
	if len(rows) != 2 || rows[0]["__topic__"] != "send" || rows[0]["__source__"] != "i-1" {
		t.Fatalf("read back %v", rows)
	}
	bad := good
	bad.AccessKeySecret += "x"
	err = client.PutLogs(context.Background(), bad, slsput.Dest{Project: "p", Logstore: "events"}, g)
	var e *slsput.Error
	if !errors.As(err, &e) || e.HTTPCode != http.StatusUnauthorized || e.Code != "SignatureNotMatch" || e.RequestID == "" {
		t.Fatalf("wrong secret: %v", err)
	}
}

// The SDK's write retries: a 500/502/503 is tried again within the
// timeout; a refusal and a lost connection are not (the group may be
// stored); a hung server is given up at the timeout.
// conformance: SLS-14
func TestRetriesOnlyWhatTheServerFailedBeforeStoring(t *testing.T) {
	for _, c := range []struct {
		name     string
		answers  []int
		wantErr  bool
		requests int32
	}{
		{"503 then 200", []int{503, 200}, false, 2},
		{"500, 502 then 200", []int{500, 502, 200}, false, 3},
		{"400", []int{400}, true, 1},
		{"401", []int{401}, true, 1},
		{"504", []int{504}, true, 1},
	} {
		var n atomic.Int32
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := int(n.Add(1)) - 1
			code := c.answers[min(i, len(c.answers)-1)]
			if code != 200 {
				w.Header().Set("x-log-requestid", "R")
				w.WriteHeader(code)
				w.Write([]byte(`{"errorCode":"Code","errorMessage":"m"}`))
			}
		}))
		err := slsput.New(strings.TrimPrefix(hs.URL, "http://"), 5*time.Second).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "l"}, group())
		hs.Close()
		if (err != nil) != c.wantErr || n.Load() != c.requests {
			t.Errorf("%s: err %v after %d requests, want error %v after %d", c.name, err, n.Load(), c.wantErr, c.requests)
		}
	}

	var n atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer hs.Close()
	if err := slsput.New(strings.TrimPrefix(hs.URL, "http://"), 5*time.Second).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "l"}, group()); err == nil || n.Load() != 1 {
		t.Errorf("lost connection: err %v after %d requests, want an error after 1", err, n.Load())
	}

	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer hung.Close()
	defer close(release)
	start := time.Now()
	err := slsput.New(strings.TrimPrefix(hung.URL, "http://"), 200*time.Millisecond).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "l"}, group())
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("hung server: %v after %s", err, time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := slsput.New(strings.TrimPrefix(hung.URL, "http://"), time.Minute).PutLogs(ctx, triple, slsput.Dest{Project: "p", Logstore: "l"}, group()); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v", err)
	}
}

// An answer that is not SLS's JSON (a proxy's page) is quoted, cut short.
func TestAnAnswerThatIsNotSLSsIsQuotedShort(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("<html>\x1b[31m" + strings.Repeat("denied ", 100)))
	}))
	defer hs.Close()
	err := slsput.New(strings.TrimPrefix(hs.URL, "http://"), time.Second).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "l"}, group())
	var e *slsput.Error
	if !errors.As(err, &e) || e.HTTPCode != 403 || e.Code != "" || len(e.Message) > 260 || strings.ContainsRune(err.Error(), 0x1b) {
		t.Fatalf("%v", err)
	}
}

func TestAnEmptyGroupIsNotSent(t *testing.T) {
	hs, requests := recorder(t)
	if err := slsput.New(strings.TrimPrefix(hs.URL, "http://"), time.Second).PutLogs(context.Background(), triple, slsput.Dest{Project: "p", Logstore: "l"}, &slsput.Group{Topic: "t"}); err != nil || len(requests()) != 0 {
		t.Fatalf("err %v, %d requests", err, len(requests()))
	}
}
