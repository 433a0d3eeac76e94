package redmetrics

import "encoding/json"

// GrafanaDashboard renders Panels as a Grafana dashboard (JSON model,
// schemaVersion 39) whose queries go to a Prometheus data source chosen on
// import: the SLS MetricStore's Prometheus endpoint, or any Prometheus the
// samples are written to. Generated, never hand-edited: monitoring/grafana-dashboard.json is
// rewritten by `go test ./shared/redmetrics -update`.
func GrafanaDashboard() ([]byte, error) {
	ds := map[string]string{"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
	panels := make([]map[string]any, 0, len(Panels()))
	for i, p := range Panels() {
		targets := make([]map[string]any, 0, len(p.Targets))
		for j, t := range p.Targets {
			targets = append(targets, map[string]any{"refId": string(rune('A' + j)), "expr": t.Expr,
				"legendFormat": t.Legend, "datasource": ds, "instant": p.Kind != "timeseries", "range": p.Kind == "timeseries"})
		}
		panels = append(panels, map[string]any{
			"id": i + 1, "type": p.Kind, "title": p.Title, "datasource": ds, "targets": targets,
			"gridPos":     map[string]int{"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8},
			"fieldConfig": map[string]any{"defaults": map[string]any{"unit": p.Unit}, "overrides": []any{}},
			"options":     map[string]any{},
			"description": "SLS dashboard chart " + p.ID + " (shared/dashboard), from the MetricStore",
		})
	}
	d := map[string]any{
		"__inputs": []map[string]string{{"name": "DS_PROMETHEUS", "label": "Prometheus (SLS MetricStore)", "type": "datasource",
			"pluginId": "prometheus", "pluginName": "Prometheus"}},
		"uid": "smsflow-red", "title": "smsflow operations (Prometheus)", "tags": []string{"smsflow"},
		"schemaVersion": 39, "editable": true, "refresh": "1m",
		"time":   map[string]string{"from": "now-1h", "to": "now"},
		"panels": panels,
	}
	return json.MarshalIndent(d, "", "  ")
}
