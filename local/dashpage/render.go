package dashpage

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"smsflow/shared/alert"
	"smsflow/shared/dashboard"
)

// panel is one chart ready for the page.
type panel struct {
	ID, Title, Kind, Query, Error string
	// Points counts the data marks drawn (points, bars, rows).
	Points int
	Body   template.HTML
}

func render(res result, from, to time.Time) panel {
	c := res.Chart
	p := panel{ID: c.ID, Title: c.Title, Kind: c.Kind, Query: c.Query, Error: res.Error}
	if res.Error != "" {
		return p
	}
	switch c.Kind {
	case dashboard.KindLine:
		p.Body, p.Points = lineChart(c, res.Rows, from, to)
	case dashboard.KindBar:
		p.Body, p.Points = barChart(c, res.Rows)
	default:
		p.Body, p.Points = table(c, res.Rows)
	}
	return p
}

const (
	width, height         = 600, 220
	left, right, top, bot = 64, 12, 10, 44
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

type point struct{ x, y float64 }

// series splits rows into named lines: one per value of c.Series, else
// one per Y column. Rows whose values are not numbers (SQL NULL) are left
// out of that line.
func series(c dashboard.Chart, rows []map[string]string) (names []string, lines map[string][]point) {
	lines = map[string][]point{}
	add := func(name, xs, ys string) {
		x, err1 := strconv.ParseFloat(xs, 64)
		y, err2 := strconv.ParseFloat(ys, 64)
		if err1 != nil || err2 != nil || math.IsNaN(y) {
			return
		}
		if _, ok := lines[name]; !ok {
			names = append(names, name)
		}
		lines[name] = append(lines[name], point{x, y})
	}
	for _, r := range rows {
		if c.Series != "" {
			add(r[c.Series], r[c.X], r[c.Y[0]])
			continue
		}
		for _, y := range c.Y {
			add(y, r[c.X], r[y])
		}
	}
	sort.Strings(names)
	for _, l := range lines {
		sort.Slice(l, func(i, j int) bool { return l[i].x < l[j].x })
	}
	return names, lines
}

func lineChart(c dashboard.Chart, rows []map[string]string, from, to time.Time) (template.HTML, int) {
	names, lines := series(c, rows)
	ymax := 0.0
	n := 0
	for _, l := range lines {
		for _, pt := range l {
			ymax = math.Max(ymax, pt.y)
			n++
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	x0, x1 := float64(from.Unix()), float64(to.Unix())
	sx := func(x float64) float64 { return left + (x-x0)/(x1-x0)*(width-left-right) }
	sy := func(y float64) float64 { return top + (1-y/ymax)*(height-top-bot) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, width, height, width, height)
	for _, frac := range []float64{0, 0.5, 1} {
		y := sy(frac * ymax)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>`, left, width-right, y, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, left-4, y+4, esc(format(c.Unit, frac*ymax)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, left, height-bot+14, from.UTC().Format("15:04"))
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, width-right, height-bot+14, to.UTC().Format("15:04"))
	for i, name := range names {
		color := palette[i%len(palette)]
		pts := make([]string, 0, len(lines[name]))
		for _, pt := range lines[name] {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", sx(pt.x), sy(pt.y)))
		}
		fmt.Fprintf(&b, `<polyline class="series" data-name="%s" fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`,
			esc(name), color, strings.Join(pts, " "))
		for _, pt := range lines[name] {
			fmt.Fprintf(&b, `<circle class="point" r="2.5" fill="%s" cx="%.1f" cy="%.1f"><title>%s %s: %s</title></circle>`,
				color, sx(pt.x), sy(pt.y), esc(name), time.Unix(int64(pt.x), 0).UTC().Format("15:04"), esc(format(c.Unit, pt.y)))
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`,
			left+i*100, height-16, color, left+i*100+14, height-7, esc(label(name)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), n
}

func barChart(c dashboard.Chart, rows []map[string]string) (template.HTML, int) {
	type bar struct {
		name string
		v    float64
	}
	var bars []bar
	max := 0.0
	for _, r := range rows {
		v, err := strconv.ParseFloat(r[c.Y[0]], 64)
		if err != nil {
			continue
		}
		bars = append(bars, bar{r[c.X], v})
		max = math.Max(max, v)
	}
	if len(bars) == 0 {
		return "", 0
	}
	const rowH, labelW = 20, 200
	var b strings.Builder
	h := len(bars)*rowH + 4
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, width, h, width, h)
	for i, br := range bars {
		w := br.v / max * (width - labelW - 60)
		y := i*rowH + 2
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+13, esc(label(br.name)))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`,
			labelW, y, math.Max(w, 1), rowH-4, palette[1], esc(format(c.Unit, br.v)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d">%s</text>`, labelW+math.Max(w, 1)+4, y+13, esc(format(c.Unit, br.v)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), len(bars)
}

func table(c dashboard.Chart, rows []map[string]string) (template.HTML, int) {
	if len(rows) == 0 {
		return "", 0
	}
	var b strings.Builder
	b.WriteString(`<table class="rows"><tr><th>` + esc(c.X) + `</th>`)
	for _, y := range c.Y {
		b.WriteString(`<th>` + esc(y) + `</th>`)
	}
	b.WriteString(`</tr>`)
	for _, r := range rows {
		x := r[c.X]
		if sec, err := strconv.ParseInt(x, 10, 64); err == nil && c.X == "t" {
			x = time.Unix(sec, 0).UTC().Format("15:04:05")
		}
		b.WriteString(`<tr class="row"><td>` + esc(x) + `</td>`)
		for _, y := range c.Y {
			b.WriteString(`<td>` + esc(label(r[y])) + `</td>`)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</table>`)
	return template.HTML(b.String()), len(rows)
}

// format prints a value in its unit.
func format(unit string, v float64) string {
	switch unit {
	case alert.UnitRatio:
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case alert.UnitMillis:
		if v >= 10000 {
			return strconv.FormatFloat(v/1000, 'f', 1, 64) + " s"
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func label(s string) string {
	if s == "" || s == "null" {
		return "(none)"
	}
	return s
}

func esc(s string) string { return template.HTMLEscapeString(s) }
