package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestExpandSecret(t *testing.T) {
	t.Setenv("THREECX_TEST_SECRET", "from-env")
	t.Setenv("THREECX_TEST_EMPTY", "")

	tests := []struct {
		name    string
		value   Secret
		want    Secret
		wantErr string
	}{
		{"literal", "plain-secret", "plain-secret", ""},
		{"dollar inside", "pa$$word${X}", "pa$$word${X}", ""},
		{"reference", "${THREECX_TEST_SECRET}", "from-env", ""},
		{"unset variable", "${THREECX_TEST_UNSET}", "", "environment variable THREECX_TEST_UNSET is not set"},
		{"empty variable", "${THREECX_TEST_EMPTY}", "", "environment variable THREECX_TEST_EMPTY is empty"},
		{"invalid name", "${not-a-name}", "", "the value starts with ${ but is not a reference"},
		{"unclosed", "${THREECX_TEST_SECRET", "", "the value starts with ${ but is not a reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandSecret(tt.value)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("expandSecret(%q) = %q, want an error", string(tt.value), string(got))
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), string(tt.value)) {
					t.Errorf("error %q quotes the value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("expandSecret(%q) = %q, want %q", string(tt.value), string(got), string(tt.want))
			}
		})
	}
}

const secretConfigTemplate = `
targets:
  literal:
    url: https://pbx1.example.com
    client_id: prometheus
    client_secret: %s
  env:
    url: https://pbx2.example.com
    client_id: prometheus
    client_secret: ${THREECX_TEST_SECRET}
  file:
    url: https://pbx3.example.com
    client_id: prometheus
    client_secret_file: %s
reports:
  activity:
    type: user_activity
    groups: [GRP0001]
`

// Secrets that no output of a loaded config may contain.
const (
	literalSecret = "literal-s3cret-value"
	envSecret     = "env-s3cret-value"
	fileSecret    = "file-s3cret-value"
)

// loadSecretConfig writes a config with one target per way of giving a secret and loads it.
func loadSecretConfig(t *testing.T) *Config {
	t.Helper()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(fileSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("THREECX_TEST_SECRET", envSecret)

	configFile := filepath.Join(dir, "exporter.yml")
	data := fmt.Sprintf(secretConfigTemplate, literalSecret, secretFile)
	if err := os.WriteFile(configFile, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(configFile)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestLoadSecretSources(t *testing.T) {
	cfg := loadSecretConfig(t)

	want := map[string]string{"literal": literalSecret, "env": envSecret, "file": fileSecret}
	for name, secret := range want {
		if got := string(cfg.Targets[name].Secret); got != secret {
			t.Errorf("targets.%s: Secret = %q, want %q", name, got, secret)
		}
	}
}

func TestLoadSecretEnvUnset(t *testing.T) {
	data := fmt.Sprintf(secretConfigTemplate, literalSecret, "testdata/secret.txt")
	_, err := Parse([]byte(data))
	if err == nil {
		t.Fatal("Parse accepted a reference to an unset variable")
	}
	want := "targets.env.client_secret: environment variable THREECX_TEST_SECRET is not set: set it in the exporter's environment"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
}

func TestSecretOutputsMasked(t *testing.T) {
	cfg := loadSecretConfig(t)

	outputs := map[string]func() (string, error){
		"yaml": func() (string, error) {
			out, err := yaml.Marshal(cfg)
			return string(out), err
		},
		"json": func() (string, error) {
			var buf bytes.Buffer
			encoder := json.NewEncoder(&buf)
			encoder.SetEscapeHTML(false)
			err := encoder.Encode(cfg)
			return buf.String(), err
		},
		"fmt": func() (string, error) {
			var b strings.Builder
			for _, name := range cfg.TargetNames() {
				target := cfg.Targets[name]
				fmt.Fprintf(&b, "%v %+v %#v %s %q %x %d\n", *target, *target, *target,
					target.Secret, target.Secret, target.Secret, target.Secret)
			}
			return b.String(), nil
		},
		"slog": func() (string, error) {
			var buf bytes.Buffer
			for _, handler := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
				logger := slog.New(handler)
				for _, name := range cfg.TargetNames() {
					target := cfg.Targets[name]
					logger.Info("target", "secret", target.Secret, "client_secret", target.ClientSecret, "config", *target)
				}
			}
			return buf.String(), nil
		},
	}

	for name, output := range outputs {
		t.Run(name, func(t *testing.T) {
			text, err := output()
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{literalSecret, envSecret, fileSecret} {
				if strings.Contains(text, secret) {
					t.Errorf("output contains the secret %q:\n%s", secret, text)
				}
			}
			if !strings.Contains(text, secretMask) {
				t.Errorf("output does not contain the mask %q:\n%s", secretMask, text)
			}
		})
	}
}

// TestLoadSecretFileReread makes sure a second Load, as a reload does, reads the secret
// file again rather than keeping the first value.
func TestLoadSecretFileReread(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	configFile := filepath.Join(dir, "exporter.yml")
	t.Setenv("THREECX_TEST_SECRET", envSecret)
	data := fmt.Sprintf(secretConfigTemplate, literalSecret, secretFile)
	if err := os.WriteFile(configFile, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, secret := range []string{"first-secret", "rotated-secret"} {
		if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(configFile)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(cfg.Targets["file"].Secret); got != secret {
			t.Errorf("after writing %q: Secret = %q", secret, got)
		}
	}
}
