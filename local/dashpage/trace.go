package dashpage

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"smsflow/shared/timeline"
)

// SpanFetcher reads one trace's spans from an SLS Trace logstore.
type SpanFetcher func(ctx context.Context, traceID string) ([]map[string]string, error)

// serveTrace draws GET /dashboard/trace?id=<trace id> as a waterfall: each
// span a bar on one time axis, under its parent (timeline.Waterfall).
func (p *Page) serveTrace(w http.ResponseWriter, r *http.Request) {
	if p.Spans == nil {
		http.Error(w, "no trace logstore: OTLP export is off", http.StatusNotFound)
		return
	}
	id := strings.TrimSpace(r.URL.Query().Get("id"))
	rows, err := p.Spans(r.Context(), id)
	data := map[string]any{"Title": "trace " + id, "ID": id}
	if err != nil {
		data["Error"] = err.Error()
	} else {
		spans := timeline.Waterfall(rows)
		data["Spans"] = len(spans)
		data["SVG"] = waterfallSVG(spans)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := traceTemplate.Execute(w, data); err != nil {
		fmt.Fprintf(w, "<!-- render: %s -->", template.HTMLEscapeString(err.Error()))
	}
}

func waterfallSVG(spans []timeline.SpanRow) template.HTML {
	if len(spans) == 0 {
		return ""
	}
	const labelW, barW, rowH = 280, 560, 22
	total := timeline.Extent(spans) // saturated: span times are anyone's OTLP input
	scale := func(d time.Duration) float64 {
		if total <= 0 {
			return 0
		}
		return float64(barW) * float64(d) / float64(total)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="waterfall" width="%d" height="%d" role="img">`, labelW+barW+90, rowH*len(spans)+4)
	for i, s := range spans {
		y := i*rowH + 2
		color := "#4a7bd0"
		if s.Status == "ERROR" {
			color = "#c0392b"
		}
		x, wd := labelW+scale(s.Offset), max(scale(s.End())-scale(s.Offset), 1)
		fmt.Fprintf(&b, `<g class="span" data-span="%s" data-parent="%s" data-kind="%s" data-status="%s">`,
			esc(s.SpanID), esc(s.ParentSpanID), esc(s.Kind), esc(s.Status))
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, 4+12*s.Depth, y+15, esc(s.Name+" ("+strings.ToLower(s.Kind)+")"))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`,
			x, y+3, wd, rowH-6, color, esc(fmt.Sprintf("%s: +%s for %s", s.Name, s.Offset, s.Duration)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text></g>`, x+wd+4, y+15, esc(fmt.Sprintf("%.1f ms", float64(s.Duration.Microseconds())/1000)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var traceTemplate = template.Must(template.New("trace").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font:14px system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
svg text{font-size:12px;fill:#333}.error{color:#b00}</style></head>
<body><h1>{{.Title}}</h1><p><a href="/dashboard">dashboard</a></p>
{{if .Error}}<p class="error">query failed: {{.Error}}</p>
{{else if not .Spans}}<p class="empty">no spans for this trace (too early, or OTLP export off)</p>
{{else}}<figure id="waterfall" data-spans="{{.Spans}}">{{.SVG}}</figure>{{end}}
</body></html>
`))
