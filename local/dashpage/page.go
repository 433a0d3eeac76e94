// Package dashpage serves smsflow's operations dashboard (shared/dashboard)
// as a web page: each chart's SLS query runs against an SLS (the local
// emulator in the stack) and is drawn as inline SVG by Go, so the page
// needs no JavaScript library and nothing binary is committed. The page
// reloads itself.
package dashpage

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"smsflow/shared/dashboard"
)

// Querier runs one `search | SQL` query over [from, to).
type Querier func(ctx context.Context, query string, from, to time.Time) ([]map[string]string, error)

// Page is an http.Handler: GET /dashboard (HTML) and GET /dashboard/data
// (the same rows as JSON).
type Page struct {
	Charts []dashboard.Chart
	Query  Querier
	// Window is how far back the charts look (the SLS dashboard's hour).
	Window time.Duration
	// Refresh is the page's reload period.
	Refresh time.Duration
	Now     func() time.Time
	// Spans, when set, serves /dashboard/trace?id=: a trace's waterfall.
	Spans SpanFetcher
}

// New returns a page of every dashboard chart over the last hour.
func New(q Querier) *Page {
	return &Page{Charts: dashboard.Charts(), Query: q, Window: time.Hour, Refresh: 15 * time.Second, Now: time.Now}
}

// result is one chart's rows, or why there are none.
type result struct {
	Chart dashboard.Chart     `json:"chart"`
	Rows  []map[string]string `json:"rows"`
	Error string              `json:"error,omitempty"`
}

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		http.Redirect(w, r, "/dashboard", http.StatusFound)
	case "/dashboard":
		p.serveHTML(w, r)
	case "/dashboard/trace":
		p.serveTrace(w, r)
	case "/dashboard/data":
		from, to, results := p.run(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"from": from.Unix(), "to": to.Unix(), "charts": results})
	default:
		http.NotFound(w, r)
	}
}

// run queries every chart at once: a slow chart does not hold the others.
func (p *Page) run(ctx context.Context) (from, to time.Time, results []result) {
	to = p.Now().Truncate(time.Second).Add(time.Second) // [from, to) includes this second
	from = to.Add(-p.Window)
	results = make([]result, len(p.Charts))
	var wg sync.WaitGroup
	for i, c := range p.Charts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows, err := p.Query(ctx, c.Query, from, to)
			results[i] = result{Chart: c, Rows: rows}
			if err != nil {
				results[i].Error = err.Error()
			}
		}()
	}
	wg.Wait()
	return from, to, results
}

func (p *Page) serveHTML(w http.ResponseWriter, r *http.Request) {
	from, to, results := p.run(r.Context())
	panels := make([]panel, 0, len(results))
	for _, res := range results {
		panels = append(panels, render(res, from, to))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	err := pageTemplate.Execute(w, map[string]any{
		"Panels": panels, "From": from.UTC().Format("15:04"), "To": to.UTC().Format("15:04 UTC"),
		"Refresh": int(p.Refresh.Seconds()), "Title": dashboard.DisplayName,
	})
	if err != nil {
		fmt.Fprintf(w, "<!-- render: %s -->", template.HTMLEscapeString(err.Error()))
	}
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{{.Refresh}}">
<title>{{.Title}}</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(620px,1fr));gap:16px}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:0;padding:8px 12px}
figcaption{font-weight:600;margin-bottom:4px}
.empty,.error{color:#888;font-style:italic}.error{color:#b00}
details code{display:block;white-space:pre-wrap;font-size:12px;background:#f3f3f3;padding:6px}
table{border-collapse:collapse;font-size:12px}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left}
svg text{font-size:11px;fill:#555}
</style></head>
<body><h1>{{.Title}}</h1>
<p>Last hour ({{.From}}–{{.To}}), the same queries as the SLS dashboard <code>smsflow-operations</code>; reloads every {{.Refresh}} s.</p>
<form action="/dashboard/trace">trace waterfall: <input name="id" size="34" placeholder="trace id (X-Trace-Id)"> <button>show</button></form>
<main id="charts">
{{range .Panels}}<figure class="chart" id="{{.ID}}" data-kind="{{.Kind}}" data-points="{{.Points}}"{{if .Error}} data-error="{{.Error}}"{{end}}>
<figcaption>{{.Title}}</figcaption>
{{if .Error}}<p class="error">query failed: {{.Error}}</p>{{else if eq .Points 0}}<p class="empty">no data in this window</p>{{end}}
{{.Body}}
<details><summary>SLS query</summary><code>{{.Query}}</code></details>
</figure>
{{end}}</main></body></html>
`))
