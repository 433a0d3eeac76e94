package dashpage

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http/httptest"
	"regexp"
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

// Span times are anyone's OTLP input: at the ends of what a microsecond
// count can say, Offset+Duration wrapped round to a negative and the bars
// left the axis (or all collapsed to its start). Every bar stays on it.
func TestTracePageKeepsHostileSpansOnTheAxis(t *testing.T) {
	span := func(id string, startUS, endUS int64) map[string]string {
		return map[string]string{slstrace.FieldSpanID: id, slstrace.FieldName: "n" + id, slstrace.FieldKind: "CLIENT",
			slstrace.FieldStart: strconv.FormatInt(startUS, 10), slstrace.FieldEnd: strconv.FormatInt(endUS, 10)}
	}
	p := New(nil)
	p.Spans = func(context.Context, string) ([]map[string]string, error) {
		return []map[string]string{span("a", math.MinInt64, math.MinInt64+1), span("b", 0, 1000),
			span("c", math.MaxInt64-1, math.MaxInt64)}, nil
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest("GET", "/dashboard/trace?id=abc", nil))
	rects := regexp.MustCompile(`<rect x="([-0-9.e+]+)" y="\d+" width="([-0-9.e+]+)"`).FindAllStringSubmatch(w.Body.String(), -1)
	if len(rects) != 3 {
		t.Fatalf("%d bars:\n%s", len(rects), w.Body.String())
	}
	var xs []float64
	for _, r := range rects {
		x, _ := strconv.ParseFloat(r[1], 64)
		wd, _ := strconv.ParseFloat(r[2], 64)
		if x < 280 || wd < 1 || x+wd > 280+560+1 {
			t.Errorf("bar at x=%s width=%s is off the axis [280, 840]", r[1], r[2])
		}
		xs = append(xs, x)
	}
	if xs[2] < 280+559 {
		t.Errorf("the last span (at the end of time) is drawn at x=%.1f, not at the axis' end", xs[2])
	}
}
