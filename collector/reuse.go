package collector

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/threecx-exporter/threecx_exporter/config"
)

// ReuseTargets creates the targets of cfg as NewTargets does, except that a target whose
// settings in cfg are the same as in previous, the config that old is in use with, keeps
// its Target from old. A kept Target keeps its access token and whatever else it holds
// between scrapes. Settings are the target's keys, its secret, the CA certificates it
// trusts and the reports it fetches. ReuseTargets returns the names of the kept targets,
// sorted, and makes no request. The caller closes the Targets of old that it did not keep.
func ReuseTargets(previous *config.Config, old map[string]*Target, cfg *config.Config, o Options) (map[string]*Target, []string, error) {
	targets := make(map[string]*Target, len(cfg.Targets))
	var kept []string
	for _, name := range cfg.TargetNames() {
		if t, ok := old[name]; ok && sameSettings(name, previous, cfg) {
			targets[name] = t
			kept = append(kept, name)
			continue
		}

		t, err := NewTarget(name, cfg, o)
		if err != nil {
			// Close what this call built; the kept Targets stay in use with the old config.
			for built, target := range targets {
				if old[built] != target {
					target.Close()
				}
			}
			return nil, nil, err
		}
		targets[name] = t
	}
	return targets, kept, nil
}

// sameSettings reports whether cfg gives target name the settings it has in previous.
// previous is the config in use, which may be newer than the one t was created from, but
// then t was kept because its settings were the same.
func sameSettings(name string, previous, cfg *config.Config) bool {
	if previous == nil || previous.Targets[name] == nil {
		return false
	}
	key := settingsKey(name, cfg)
	if key == "" || key != settingsKey(name, previous) {
		return false
	}
	// The CA file is read at load, so an unchanged path does not mean unchanged certificates.
	return sameRootCAs(previous.Targets[name], cfg.Targets[name])
}

func sameRootCAs(a, b *config.Target) bool {
	if a.TLS == nil || b.TLS == nil {
		return a.TLS == b.TLS
	}
	return a.TLS.RootCAs.Equal(b.TLS.RootCAs)
}

// settingsKey returns a fingerprint of the settings of target name in cfg: its keys as
// YAML, a hash of its secret and the YAML of each report it fetches. It returns "" when
// the settings do not marshal, and "" matches nothing.
func settingsKey(name string, cfg *config.Config) string {
	tc := cfg.Targets[name]
	if tc == nil {
		return ""
	}

	var b strings.Builder
	targetYAML, err := yaml.Marshal(tc)
	if err != nil {
		return ""
	}
	b.Write(targetYAML)

	// A hash keeps a second copy of the secret out of memory.
	secretHash := sha256.Sum256([]byte(tc.Secret))
	fmt.Fprintf(&b, "secret: %s\n", hex.EncodeToString(secretHash[:]))

	for _, reportName := range tc.Reports {
		reportYAML, err := yaml.Marshal(cfg.Reports[reportName])
		if err != nil {
			return ""
		}
		fmt.Fprintf(&b, "report %q:\n%s", reportName, reportYAML)
	}
	return b.String()
}
