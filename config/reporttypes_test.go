package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// reportTypesFixtures is the folder of the fixtures of the extension_statistics,
// queue_agents and status report types.
const reportTypesFixtures = "testdata/report-types"

var reportTypesInvalidFixtures = []struct {
	file string
	want string
}{
	{"invalid-extension-statistics-call-area.yml", `reports.talk_today.call_area: invalid call_area "abroad": want all, internal, external, 0, 1 or 2`},
	{"invalid-extension-statistics-duplicate-group.yml", `reports.talk_today.groups[2]: "GRP0001" is listed twice`},
	{"invalid-extension-statistics-empty-group.yml", "reports.talk_today.groups[0]: empty value"},
	{"invalid-extension-statistics-key.yml", "reports.talk_today.extensions: key is not valid for type extension_statistics (line 9)"},
	{"invalid-extension-statistics-window.yml", `reports.talk_today.window: invalid window "yesterday": want "today" or a positive duration such as 15m or 1h`},
	{"invalid-extension-statistics-top.yml", "reports.talk_today.options.top: invalid value -5: want 0 or more"},
	{"invalid-queue-agents-comma.yml", `reports.agents_today.queues[0]: "800,801" contains a comma: list each queue number on its own, because the PBX reports one queue per request`},
	{"invalid-queue-agents-empty-queue.yml", "reports.agents_today.queues[1]: empty value"},
	{"invalid-queue-agents-duplicate-queue.yml", `reports.agents_today.queues[1]: "800" is listed twice`},
	{"invalid-queue-agents-wait-interval.yml", "reports.agents_today.wait_interval: invalid value 2s500ms: want whole seconds, 0s or more"},
	{"invalid-queue-agents-window.yml", `reports.agents_today.window: invalid window "0s": want "today" or a positive duration such as 15m or 1h`},
	{"invalid-queue-agents-key.yml", "reports.agents_today.call_area: key is not valid for type queue_agents (line 9)"},
	{"invalid-status-window.yml", "reports.live.window: key is not valid for type status (line 9)"},
	{"invalid-status-select.yml", `reports.live.options.select: set to ["Number"], but a status report selects the user fields it reads; remove the key`},
	{"invalid-status-expand.yml", `reports.live.options.expand: set to ["Groups"], but a status report reads no related entities; remove the key`},
	{"invalid-status-skip.yml", "reports.live.options.skip: invalid value -1: want 0 or more"},
}

func TestLoadReportTypesInvalid(t *testing.T) {
	for _, tt := range reportTypesInvalidFixtures {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join(reportTypesFixtures, tt.file))
			if err == nil {
				t.Fatalf("Load accepted the config: %+v", cfg)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

// TestReportTypesFixturesAllTested keeps the fixture list and the files in step.
func TestReportTypesFixturesAllTested(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(reportTypesFixtures, "invalid-*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		listed := slices.ContainsFunc(reportTypesInvalidFixtures, func(c struct{ file, want string }) bool {
			return c.file == filepath.Base(f)
		})
		if !listed {
			t.Errorf("fixture %s has no test case", f)
		}
	}
}

func TestLoadReportTypesDefaults(t *testing.T) {
	cfg, err := Load(filepath.Join(reportTypesFixtures, "valid-defaults.yml"))
	if err != nil {
		t.Fatal(err)
	}
	talk, agents, live := cfg.Reports["talk_today"], cfg.Reports["agents_today"], cfg.Reports["live"]

	if !slices.Equal(talk.Groups, DefaultExtensionStatisticsGroups) {
		t.Errorf("extension_statistics groups = %q, want %q", talk.Groups, DefaultExtensionStatisticsGroups)
	}
	if talk.ParsedCallArea != callAreas[DefaultCallArea] {
		t.Errorf("extension_statistics call area = %d, want %d", talk.ParsedCallArea, callAreas[DefaultCallArea])
	}
	if !talk.ParsedWindow.Today {
		t.Errorf("extension_statistics window = %s, want today", talk.ParsedWindow)
	}
	if len(agents.Queues) != 0 {
		t.Errorf("queue_agents queues = %q, want none, which means every queue", agents.Queues)
	}
	if agents.WaitInterval != 0 {
		t.Errorf("queue_agents wait_interval = %s, want 0s", agents.WaitInterval)
	}
	if !agents.ParsedWindow.Today {
		t.Errorf("queue_agents window = %s, want today", agents.ParsedWindow)
	}
	if live.ParsedWindow != (Window{}) {
		t.Errorf("status window = %s, want none", live.ParsedWindow)
	}
}

func TestLoadQueueAgentsWindow(t *testing.T) {
	cfg, err := Parse([]byte(`
targets:
  office: {url: "https://pbx.example.com", client_id: p, client_secret: s}
reports:
  agents:
    type: queue_agents
    window: 15m
    queues: ["800", "801"]
    wait_interval: 20s
`))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Reports["agents"]
	if r.ParsedWindow.Duration != 15*time.Minute {
		t.Errorf("window = %s, want 15m", r.ParsedWindow)
	}
	if strings.Join(r.Queues, ",") != "800,801" {
		t.Errorf("queues = %q, want 800 and 801", r.Queues)
	}
	if time.Duration(r.WaitInterval) != 20*time.Second {
		t.Errorf("wait_interval = %s, want 20s", r.WaitInterval)
	}
}
