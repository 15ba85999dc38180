package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/internal/demo"
)

// FuzzParse feeds arbitrary YAML to the config loader, seeded with the demo config and
// every fixture. Parse must return a config or an error, never panic, and a config it
// returns must have every default filled in.
func FuzzParse(f *testing.F) {
	f.Add(demo.ConfigYAML("http://127.0.0.1:5001"))
	for _, pattern := range []string{"testdata/*.yml", "testdata/transport/*.yml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		// A config may name files to read. The loader does not guard against a device or
		// a process file, which can block or never end.
		for _, prefix := range []string{"/dev", "/proc", "/sys"} {
			if bytes.Contains(data, []byte(prefix)) {
				t.Skip()
			}
		}

		cfg, err := config.Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Error("Parse returned an error with an empty message")
			}
			return
		}
		checkParsed(t, cfg)
	})
}

func checkParsed(t *testing.T, cfg *config.Config) {
	for name, target := range cfg.Targets {
		switch {
		case target == nil:
			t.Errorf("target %q is nil", name)
		case target.Location == nil:
			t.Errorf("target %q has no location", name)
		case target.MaxConcurrency < 1:
			t.Errorf("target %q has max_concurrency %d", name, target.MaxConcurrency)
		case target.Timeout <= 0:
			t.Errorf("target %q has timeout %s", name, target.Timeout)
		case target.MaxBodyBytes <= 0:
			t.Errorf("target %q has max_body_bytes %d", name, target.MaxBodyBytes)
		case target.TLS == nil:
			t.Errorf("target %q has no TLS config", name)
		}
		if target == nil {
			continue
		}
		for _, report := range target.Reports {
			if cfg.Reports[report] == nil {
				t.Errorf("target %q lists report %q, which does not exist", name, report)
			}
		}
	}
}
