package sink

import (
	"html/template"
	"net/http"
	"slices"
)

// pageTmpl is deliberately plain: newest first, refreshed every 5 s.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>smsflow alert sink</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;margin:0;font-size:.85em}
.firing{color:#b00}.resolved{color:#070}.refused{background:#fee}
</style></head><body>
<h1>smsflow alert sink</h1>
<p>{{len .List}} received.{{range $ch, $n := .Counts}} {{$ch}}: {{$n}}.{{end}}
JSON at <a href="/notifications">/notifications</a>.</p>
<table><tr><th>#</th><th>received</th><th>channel</th><th>signature</th><th>message</th></tr>
{{range .List}}<tr{{if not .Accepted}} class="refused"{{end}}>
<td>{{.Seq}}</td><td>{{.Received.Format "15:04:05"}}</td><td>{{.Channel}}</td>
<td>{{if not .Accepted}}refused: {{.Error}}{{else if .Signed}}verified{{else}}unsigned{{end}}</td>
<td>{{if .Title}}<b class="{{.Status}}">{{.Title}}</b>{{end}}<pre>{{.Text}}</pre></td></tr>
{{else}}<tr><td colspan="5">Nothing yet.</td></tr>{{end}}
</table></body></html>`))

func (s *Sink) page(w http.ResponseWriter, _ *http.Request) {
	list := s.Notifications()
	slices.Reverse(list)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, map[string]any{"List": list, "Counts": s.Counts()})
}
