package dashpage

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"smsflow/shared/slstrace"
)

func TestTracePageDrawsTheWaterfall(t *testing.T) {
	span := func(id, parent, status string, startUS, endUS int64) map[string]string {
		return map[string]string{slstrace.FieldSpanID: id, slstrace.FieldParentSpanID: parent, slstrace.FieldName: "n" + id,
			slstrace.FieldKind: "CLIENT", slstrace.FieldStatusCode: status,
			slstrace.FieldStart: strconv.FormatInt(startUS, 10), slstrace.FieldEnd: strconv.FormatInt(endUS, 10)}
	}
	p := New(nil)
	p.Spans = func(_ context.Context, id string) ([]map[string]string, error) {
		if id != "abc" {
			return nil, errors.New("bad <id>")
		}
		return []map[string]string{span("b", "a", "ERROR", 1000, 2000), span("a", "", "UNSET", 0, 10000)}, nil
	}
	get := func(url string) string {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		b, _ := io.ReadAll(w.Result().Body)
		return string(b)
	}
	html := get("/dashboard/trace?id=abc")
	a, b := strings.Index(html, `data-span="a"`), strings.Index(html, `data-span="b" data-parent="a"`)
	if a < 0 || b < a || !strings.Contains(html, `data-spans="2"`) || !strings.Contains(html, `fill="#c0392b"`) {
		t.Fatalf("waterfall:\n%s", html)
	}
	if html := get("/dashboard/trace?id=zzz"); !strings.Contains(html, "query failed: bad &lt;id&gt;") {
		t.Fatalf("error page:\n%s", html)
	}
}
