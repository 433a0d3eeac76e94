package slsput

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	sls "github.com/aliyun/aliyun-log-go-sdk"
	"github.com/gogo/protobuf/proto"
)

// sdkGroup is g as the SDK's generated type.
func sdkGroup(g *Group) *sls.LogGroup {
	out := &sls.LogGroup{Topic: proto.String(g.Topic), Source: proto.String(g.Source)}
	for _, l := range g.Logs {
		sl := &sls.Log{Time: proto.Uint32(uint32(l.Time.Unix())), TimeNs: proto.Uint32(uint32(l.Time.Nanosecond()))}
		for _, c := range l.Contents {
			sl.Contents = append(sl.Contents, &sls.LogContent{Key: proto.String(c.Key), Value: proto.String(c.Value)})
		}
		out.Logs = append(out.Logs, sl)
	}
	for _, t := range g.Tags {
		out.LogTags = append(out.LogTags, &sls.LogTag{Key: proto.String(t.Key), Value: proto.String(t.Value)})
	}
	return out
}

func groups() map[string]*Group {
	at := time.Date(2026, 12, 3, 1, 2, 3, 456789012, time.UTC)
	many := &Group{Topic: "receipts", Source: "instance-1"}
	for i := range 300 {
		many.Logs = append(many.Logs, Log{Time: at.Add(time.Duration(i) * time.Millisecond),
			Contents: []Content{{"seq", strconv.Itoa(i)}, {"v", strings.Repeat("é", i)}}})
	}
	return map[string]*Group{
		"one log":        {Topic: "send", Source: "i", Logs: []Log{{Time: at, Contents: []Content{{"event", "sms.result"}, {"code", "OK"}}}}},
		"empty strings":  {Logs: []Log{{Time: at, Contents: []Content{{"", ""}}}}},
		"no contents":    {Topic: "t", Logs: []Log{{Time: at}}},
		"tags":           {Topic: "t", Source: "s", Logs: []Log{{Time: at, Contents: []Content{{"k", "v"}}}}, Tags: []Content{{"__pack_id__", "ABC-1"}, {"x", "y"}}},
		"epoch and 2106": {Logs: []Log{{Time: time.Unix(0, 0)}, {Time: time.Unix(1<<32-1, 999999999)}}},
		"long value":     {Logs: []Log{{Time: at, Contents: []Content{{"record", strings.Repeat("0123456789", 20000)}}}}},
		"many logs":      many,
	}
}

// Our encoding of a group is the SDK's, byte for byte, and Size is its
// length.
// conformance: SLS-14
func TestMarshalIsTheSDKs(t *testing.T) {
	for name, g := range groups() {
		want, err := proto.Marshal(sdkGroup(g))
		if err != nil {
			t.Fatal(err)
		}
		got := g.Marshal()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encoding differs from the SDK's (%d vs %d bytes)", name, len(got), len(want))
		}
		if g.Size() != len(got) || sdkGroup(g).Size() != g.Size() {
			t.Errorf("%s: Size %d, encoding %d bytes, SDK's Size %d", name, g.Size(), len(got), sdkGroup(g).Size())
		}
	}
}

// Our v1 signature is the SDK's SignerV1's for the same request, query
// included.
// conformance: SLS-14
func TestSignatureIsTheSDKs(t *testing.T) {
	for _, c := range []struct {
		path  string
		query url.Values
		body  []byte
		token string
	}{
		{"/logstores/events", nil, []byte("raw body"), "sts-token"},
		{"/logstores/state/shards/route", url.Values{"key": {"00000000000000000000000000000000"}}, []byte{0, 1, 2, 0xff}, "tok"},
		{"/logstores/events", nil, []byte("x"), ""},
	} {
		h := http.Header{}
		h.Set("Content-Type", "application/x-protobuf")
		h.Set("Date", "Thu, 03 Dec 2026 01:02:03 GMT")
		h.Set("x-log-apiversion", apiVersion)
		h.Set("x-log-bodyrawsize", "8")
		h.Set("x-log-compresstype", "lz4")
		h.Set("x-log-signaturemethod", "hmac-sha1")
		if c.token != "" {
			h.Set("x-acs-security-token", c.token)
		}
		// Keyed as the SDK keys them: its own x- headers in lower case.
		sdkHeaders := map[string]string{}
		for k := range h {
			key := k
			if strings.HasPrefix(strings.ToLower(k), "x-") {
				key = strings.ToLower(k)
			}
			sdkHeaders[key] = h.Get(k)
		}
		uri := c.path
		if c.query != nil {
			uri += "?" + c.query.Encode()
		}
		if err := sls.NewSignerV1("STS.id", "secret").Sign(http.MethodPost, uri, sdkHeaders, c.body); err != nil {
			t.Fatal(err)
		}
		signV1(h, http.MethodPost, c.path, c.query, c.body, "STS.id", "secret")
		if h.Get("Authorization") != sdkHeaders["Authorization"] || h.Get("Content-MD5") != sdkHeaders["Content-MD5"] {
			t.Errorf("%s: ours %q %q, the SDK's %q %q", uri, h.Get("Authorization"), h.Get("Content-MD5"), sdkHeaders["Authorization"], sdkHeaders["Content-MD5"])
		}
	}
}

// A group is cut into groups PutLogs takes, every log kept and in order;
// a group within the limits stays whole.
// conformance: SLS-03
func TestSplitKeepsEveryGroupWithinPutLogsLimits(t *testing.T) {
	group := func(n, valueBytes int) *Group {
		g := &Group{Topic: "receipts", Source: "i", Tags: []Content{{"k", "v"}}}
		for i := range n {
			g.Logs = append(g.Logs, Log{Time: time.Now(), Contents: []Content{{"seq", strconv.Itoa(i)}, {"v", strings.Repeat("x", valueBytes)}}})
		}
		return g
	}
	for name, c := range map[string]struct {
		g      *Group
		groups int
	}{
		"small":        {group(3, 10), 1},
		"many logs":    {group(9000, 10), 3},
		"large logs":   {group(100, 100<<10), 4},
		"just at 4096": {group(MaxLogs, 10), 1},
		"one past":     {group(MaxLogs+1, 10), 2},
	} {
		parts := Split(c.g)
		if len(parts) != c.groups {
			t.Errorf("%s: %d groups, want %d", name, len(parts), c.groups)
		}
		next := 0
		for _, p := range parts {
			if len(p.Logs) > MaxLogs || p.Size() > 3<<20 || p.Topic != "receipts" || p.Source != "i" || len(p.Tags) != 1 {
				t.Errorf("%s: a group of %d logs, %d bytes, topic %q, %d tags", name, len(p.Logs), p.Size(), p.Topic, len(p.Tags))
			}
			for _, l := range p.Logs {
				if l.Contents[0].Value != strconv.Itoa(next) {
					t.Fatalf("%s: log %s where %d was due", name, l.Contents[0].Value, next)
				}
				next++
			}
		}
		if next != len(c.g.Logs) {
			t.Errorf("%s: %d of %d logs in the groups", name, next, len(c.g.Logs))
		}
	}
}

func TestErrorReadsAsOneLine(t *testing.T) {
	e := &Error{HTTPCode: 401, Code: "Unauthorized", Message: "bad token", RequestID: "R1"}
	if got := e.Error(); got != "SLS answered 401 Unauthorized: bad token (request R1)" {
		t.Errorf("%q", got)
	}
	if got := fmt.Sprint(&Error{HTTPCode: 502, Message: `"<html>"`}); !strings.Contains(got, "502 (no SLS error code)") {
		t.Errorf("%q", got)
	}
}

// LZ4 is used when it shrinks the body; otherwise the body goes as it is.
// conformance: SLS-14
func TestCompressOnlyWhenItShrinks(t *testing.T) {
	if out, ok := compress([]byte(strings.Repeat("sms.result ", 50))); !ok || len(out) >= 550 {
		t.Errorf("repetitive body: compressed %v to %d bytes", ok, len(out))
	}
	short := []byte("3f9a1c")
	if out, ok := compress(short); ok || !bytes.Equal(out, short) {
		t.Errorf("short body: compressed %v", ok)
	}
}
