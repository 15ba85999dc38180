package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// TestLoadInvalidTransportFixtures checks the rules of tls_config and max_body_bytes, with
// one fixture under testdata/transport per rule.
func TestLoadInvalidTransportFixtures(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"invalid-tls-cert-without-key.yml", `targets.office.tls_config: cert_file "testdata/client.pem" is set but key_file is missing; set both or neither`},
		{"invalid-tls-key-without-cert.yml", `targets.office.tls_config: key_file "testdata/client-key.pem" is set but cert_file is missing; set both or neither`},
		{"invalid-tls-ca-file-missing.yml", "targets.office.tls_config: unable to read CA cert: unable to read file testdata/transport/no-such-ca.pem: open testdata/transport/no-such-ca.pem: no such file or directory"},
		{"invalid-tls-ca-file-not-pem.yml", "targets.office.tls_config: unable to use specified CA cert file testdata/transport/invalid-tls-ca-file-missing.yml"},
		{"invalid-tls-unknown-key.yml", `line 7: unknown key "ca_path" in tls_config`},
		{"invalid-max-body-bytes.yml", "targets.office.max_body_bytes: invalid value -1: want a positive number of bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", "transport", tt.file))
			if err == nil {
				t.Fatalf("Load accepted the config: %+v", cfg)
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestMinIntervalValidForEveryType(t *testing.T) {
	for _, reportType := range sortedKeys(reportTypeKeys) {
		t.Run(reportType, func(t *testing.T) {
			r := &Report{Type: reportType, MinInterval: model.Duration(time.Minute)}

			for _, err := range r.validate("reports.r", map[string]int{"type": 1, "min_interval": 2}) {
				if strings.Contains(err.Error(), "min_interval") {
					t.Errorf("min_interval rejected for type %s: %v", reportType, err)
				}
			}
		})
	}
}

func TestLoadTransportSettings(t *testing.T) {
	cfg, err := Load(filepath.Join("testdata", "transport", "valid-tls-min-interval.yml"))
	if err != nil {
		t.Fatal(err)
	}
	target, report := cfg.Targets["office"], cfg.Reports["sales_today"]

	if target.MaxBodyBytes != 1<<20 {
		t.Errorf("max_body_bytes = %d, want %d", target.MaxBodyBytes, 1<<20)
	}
	if target.TLS == nil || target.TLS.ServerName != "pbx.internal" {
		t.Errorf("TLS.ServerName = %v, want pbx.internal", target.TLS)
	}
	if target.TLS == nil || !target.TLS.InsecureSkipVerify {
		t.Error("TLS.InsecureSkipVerify = false, want true")
	}
	if time.Duration(report.MinInterval) != 5*time.Minute {
		t.Errorf("min_interval = %s, want 5m", report.MinInterval)
	}
}

func TestLoadTransportDefaults(t *testing.T) {
	cfg, err := Parse([]byte("targets:\n  office:\n    url: https://pbx.example.com\n    client_id: id\n    client_secret: s\n" +
		"reports:\n  r:\n    type: user_activity\n    groups: [GRP0001]\n"))
	if err != nil {
		t.Fatal(err)
	}

	if got := cfg.Targets["office"].MaxBodyBytes; got != DefaultMaxBodyBytes {
		t.Errorf("max_body_bytes = %d, want the default %d", got, DefaultMaxBodyBytes)
	}
	if got := cfg.Reports["r"].MinInterval; got != 0 {
		t.Errorf("min_interval = %s, want 0s", got)
	}
	if tlsConfig := cfg.Targets["office"].TLS; tlsConfig == nil || tlsConfig.InsecureSkipVerify {
		t.Errorf("TLS = %v, want a config that verifies certificates", tlsConfig)
	}
}
