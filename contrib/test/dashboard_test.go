package test

import (
	"regexp"
	"strings"
	"testing"
)

// targetMatcher is the label matcher that restricts a query to the dashboard's PBX.
var targetMatcher = regexp.MustCompile(`target\s*=~?\s*"\$target"`)

func TestDashboardVariables(t *testing.T) {
	d := loadDashboard(t)
	variables := map[string]string{}
	for _, v := range d.Templating.List {
		variables[v.Name] = v.Type
	}

	tests := []struct {
		name     string
		wantType string
	}{
		{name: "datasource", wantType: "datasource"},
		{name: "target", wantType: "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := variables[tt.name]
			if !ok {
				t.Fatalf("the dashboard has no variable %q", tt.name)
			}
			if got != tt.wantType {
				t.Errorf("variable %q has type %q, want %q", tt.name, got, tt.wantType)
			}
		})
	}
}

func TestDashboardPanels(t *testing.T) {
	d := loadDashboard(t)
	panels := d.graphPanels()
	if len(panels) == 0 {
		t.Fatal("the dashboard has no panels")
	}

	ids := map[int]string{}
	for _, p := range panels {
		t.Run(p.Title, func(t *testing.T) {
			if strings.TrimSpace(p.Title) == "" {
				t.Errorf("panel %d has no title", p.ID)
			}
			if other, ok := ids[p.ID]; ok {
				t.Errorf("panel id %d is also the id of %q", p.ID, other)
			}
			ids[p.ID] = p.Title

			if p.FieldConfig == nil || p.FieldConfig.Defaults.Unit == "" {
				t.Errorf("panel %q sets no unit in fieldConfig.defaults", p.Title)
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q datasource = %+v, want uid ${datasource}", p.Title, p.Datasource)
			}
			if len(p.Targets) == 0 {
				t.Fatalf("panel %q has no query", p.Title)
			}

			usesTarget := false
			for _, q := range p.Targets {
				if strings.TrimSpace(q.Expr) == "" {
					t.Errorf("panel %q query %s has no expression", p.Title, q.RefID)
				}
				if q.Datasource == nil || q.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q query %s datasource = %+v, want uid ${datasource}", p.Title, q.RefID, q.Datasource)
				}
				if targetMatcher.MatchString(q.Expr) {
					usesTarget = true
				}
			}
			if !usesTarget {
				t.Errorf("no query of panel %q selects target=\"$target\"", p.Title)
			}
		})
	}
}

// TestDashboardQueriesSelectTarget checks each selector of each query: a selector of an
// exporter metric without the target matcher would mix the PBXs of a Prometheus. The
// metrics of the exporter process itself are the exception, see exporterMetrics.
func TestDashboardQueriesSelectTarget(t *testing.T) {
	d := loadDashboard(t)
	// Metric names, rule names included, followed by their selector when they have one.
	selector := regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?`)
	settings := settingNames(loadRules(t))

	for _, p := range d.graphPanels() {
		for _, q := range p.Targets {
			for _, m := range selector.FindAllStringSubmatch(q.Expr, -1) {
				name, labels := m[1], m[2]
				if !strings.Contains(name, "threecx") || settings[name] {
					continue
				}
				if exporterMetrics[name] {
					checkExporterSelector(t, p.Title, q, name, labels)
					continue
				}
				if !targetMatcher.MatchString(labels) {
					t.Errorf("panel %q query %s: %s has no target=\"$target\" matcher", p.Title, q.RefID, name)
				}
			}
		}
	}
}

// exporterMetrics describe the exporter process rather than a PBX, so they carry no target
// label of their own. The README's /probe setup scrapes /metrics in a job without a target
// label, where a target="$target" matcher on them would find nothing. A query picks the
// exporter that serves $target with exporterJoin instead.
var exporterMetrics = map[string]bool{
	"threecx_config_last_reload_successful":                true,
	"threecx_config_last_reload_success_timestamp_seconds": true,
	"threecx_exporter_build_info":                          true,
}

// exporterJoin keeps the series of the exporter whose /metrics counts requests to the
// dashboard's PBX, which threecx_api_requests_total names in a target label of its own.
var exporterJoin = regexp.MustCompile(
	`and\s+on\s*\(\s*job\s*,\s*instance\s*\)\s*threecx_api_requests_total\{[^}]*target="\$target"[^}]*\}`)

// checkExporterSelector requires a selector of an exporter metric to have no target
// matcher and its query to select the exporter with exporterJoin.
func checkExporterSelector(t *testing.T, title string, q query, name, labels string) {
	t.Helper()
	if targetMatcher.MatchString(labels) {
		t.Errorf("panel %q query %s: %s has a target matcher, which finds nothing when /metrics is scraped without a target label",
			title, q.RefID, name)
	}
	if !exporterJoin.MatchString(q.Expr) {
		t.Errorf("panel %q query %s: %s is not joined on (job, instance) with threecx_api_requests_total{target=\"$target\"}",
			title, q.RefID, name)
	}
}

// settingNames returns the recording rules of the settings group, whose series have no
// target label.
func settingNames(f *ruleFile) map[string]bool {
	names := map[string]bool{}
	for _, g := range f.Groups {
		if g.Name != "threecx_settings" {
			continue
		}
		for _, r := range g.Rules {
			names[r.Record] = true
		}
	}
	return names
}

// TestDashboardQueueAverages checks that each per-call panel of the queue service row
// divides its total by the count of the calls the total covers: ring time by the received
// calls, since abandoned calls ring too, and talk time by the answered ones.
func TestDashboardQueueAverages(t *testing.T) {
	panels := map[string][]query{}
	for _, p := range loadDashboard(t).graphPanels() {
		panels[p.Title] = p.Targets
	}

	tests := []struct {
		title  string
		total  string
		result string
	}{
		{"Ring time per call", "threecx_queue_ring_seconds", "received"},
		{"Talk time per answered call", "threecx_queue_talk_seconds", "answered"},
		{"Wait of abandoned calls", "threecx_queue_abandoned_wait_seconds", "abandoned"},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			queries, ok := panels[tt.title]
			if !ok {
				t.Fatalf("the dashboard has no panel %q", tt.title)
			}
			if len(queries) != 1 {
				t.Fatalf("panel %q has %d queries, want 1", tt.title, len(queries))
			}
			division := regexp.MustCompile(regexp.QuoteMeta(tt.total) + `\{[^}]*\}\s*/\s*ignoring \(result\)\s*` +
				`\(threecx_queue_calls\{[^}]*result="` + tt.result + `"[^}]*\}\s*> 0\)`)
			if !division.MatchString(queries[0].Expr) {
				t.Errorf("panel %q query %q does not divide %s by threecx_queue_calls{result=%q}",
					tt.title, queries[0].Expr, tt.total, tt.result)
			}
		})
	}
}
