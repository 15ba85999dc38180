package collector

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// reuseConfig is a config with two targets on the same fake PBX. The fields are the URL,
// the secret file, office's max_concurrency and the window of the report branch fetches.
const reuseConfig = `
targets:
  office:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
    max_concurrency: %[3]d
    reports: [office_activity]
  branch:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret_file: %[2]s
    reports: [branch_activity]
reports:
  office_activity:
    type: user_activity
    groups: [GRP0001]
  branch_activity:
    type: user_activity
    window: %[4]s
    groups: [GRP0002]
`

type reuseSettings struct {
	maxConcurrency int
	branchWindow   string
	branchSecret   string
}

var baseSettings = reuseSettings{maxConcurrency: 2, branchWindow: "1h", branchSecret: threecxtest.DefaultClientSecret}

// loadReuseConfig writes the secret file and parses the config for settings.
func loadReuseConfig(t *testing.T, url, dir string, s reuseSettings) *config.Config {
	t.Helper()
	secretFile := filepath.Join(dir, "branch.secret")
	if err := os.WriteFile(secretFile, []byte(s.branchSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(fmt.Appendf(nil, reuseConfig, url, secretFile, s.maxConcurrency, s.branchWindow))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReuseTargets(t *testing.T) {
	tests := []struct {
		name     string
		settings reuseSettings
		wantKept []string
	}{
		{"unchanged", baseSettings, []string{"branch", "office"}},
		{"target key changed", reuseSettings{3, "1h", threecxtest.DefaultClientSecret}, []string{"branch"}},
		{"report changed", reuseSettings{2, "2h", threecxtest.DefaultClientSecret}, []string{"office"}},
		{"secret file changed", reuseSettings{2, "1h", "rotated-secret"}, []string{"office"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := httptest.NewServer(threecxtest.NewServer(threecxtest.DemoDirectory()))
			defer server.Close()
			dir := t.TempDir()

			previous := loadReuseConfig(t, server.URL, dir, baseSettings)
			old, err := NewTargets(previous, Options{})
			if err != nil {
				t.Fatal(err)
			}
			cfg := loadReuseConfig(t, server.URL, dir, tt.settings)

			targets, kept, err := ReuseTargets(previous, old, cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(kept, ",") != strings.Join(tt.wantKept, ",") {
				t.Errorf("kept = %v, want %v", kept, tt.wantKept)
			}
			for _, name := range cfg.TargetNames() {
				wantSame := slices.Contains(tt.wantKept, name)
				if same := targets[name] == old[name]; same != wantSame {
					t.Errorf("target %s: same Target = %v, want %v", name, same, wantSame)
				}
				if !wantSame && targets[name].Config != cfg.Targets[name] {
					t.Errorf("target %s: the new Target does not use the new config", name)
				}
			}
		})
	}
}

func TestReuseTargetsAddsAndDrops(t *testing.T) {
	server := httptest.NewServer(threecxtest.NewServer(threecxtest.DemoDirectory()))
	defer server.Close()
	previous := loadReuseConfig(t, server.URL, t.TempDir(), baseSettings)
	old, err := NewTargets(previous, Options{})
	if err != nil {
		t.Fatal(err)
	}

	cfg := loadReuseConfig(t, server.URL, t.TempDir(), baseSettings)
	cfg.Targets["annex"] = cfg.Targets["office"]
	delete(cfg.Targets, "branch")

	targets, kept, err := ReuseTargets(previous, old, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(kept, ",") != "office" {
		t.Errorf("kept = %v, want [office]", kept)
	}
	if _, ok := targets["branch"]; ok {
		t.Error("the dropped target branch is still there")
	}
	if targets["annex"] == nil || targets["annex"] == old["office"] {
		t.Error("the added target annex did not get a Target of its own")
	}
}

// TestReuseTargetsKeepsToken scrapes, reloads an unchanged config and scrapes again: the
// kept Target must not fetch a second token.
func TestReuseTargetsKeepsToken(t *testing.T) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	server := httptest.NewServer(fake)
	defer server.Close()
	dir := t.TempDir()

	previous := loadReuseConfig(t, server.URL, dir, baseSettings)
	delete(previous.Targets, "branch")
	old, err := NewTargets(previous, Options{})
	if err != nil {
		t.Fatal(err)
	}
	scrapeTarget(t, old["office"])
	if got := fake.TokenRequests(); got != 1 {
		t.Fatalf("token requests after the first scrape = %d, want 1", got)
	}

	cfg := loadReuseConfig(t, server.URL, dir, baseSettings)
	delete(cfg.Targets, "branch")
	targets, _, err := ReuseTargets(previous, old, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	scrapeTarget(t, targets["office"])
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token requests after the reload and a second scrape = %d, want 1", got)
	}
}

// TestReuseTargetsAcrossReloads reloads the same settings three times: the Target made
// from the first config must survive them all, although each reload passes the config of
// the one before.
func TestReuseTargetsAcrossReloads(t *testing.T) {
	server := httptest.NewServer(threecxtest.NewServer(threecxtest.DemoDirectory()))
	defer server.Close()
	dir := t.TempDir()
	previous := loadReuseConfig(t, server.URL, dir, baseSettings)
	first, err := NewTargets(previous, Options{})
	if err != nil {
		t.Fatal(err)
	}

	targets := first
	for i := range 3 {
		cfg := loadReuseConfig(t, server.URL, dir, baseSettings)
		targets, _, err = ReuseTargets(previous, targets, cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range cfg.TargetNames() {
			if targets[name] != first[name] {
				t.Errorf("reload %d: target %s got a new Target", i+1, name)
			}
		}
		previous = cfg
	}
}

func scrapeTarget(t *testing.T, target *Target) {
	t.Helper()
	registry := prometheus.NewRegistry()
	registry.MustRegister(target.Collector(context.Background()))
	if _, err := registry.Gather(); err != nil {
		t.Fatal(err)
	}
}
