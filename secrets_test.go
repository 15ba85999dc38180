package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// tokenRecorder serves the fake PBX and keeps every access token it issues.
type tokenRecorder struct {
	next http.Handler

	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/connect/token" {
		r.next.ServeHTTP(w, req)
		return
	}
	recorder := httptest.NewRecorder()
	r.next.ServeHTTP(recorder, req)

	var body struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(recorder.Body.Bytes(), &body) == nil && body.AccessToken != "" {
		r.mu.Lock()
		r.tokens = append(r.tokens, body.AccessToken)
		r.mu.Unlock()
	}
	for key, values := range recorder.Header() {
		w.Header()[key] = values
	}
	w.WriteHeader(recorder.Code)
	w.Write(recorder.Body.Bytes())
}

func (r *tokenRecorder) issued() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.tokens...)
}

// secretsConfig has a target with its secret in the environment, one with a secret file
// and one with a wrong secret. The fields are the fake's URL, the secret file and the
// wrong secret.
const secretsConfig = `
targets:
  office:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ${THREECX_OFFICE_SECRET}
  annex:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret_file: %[2]s
  broken:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %[3]s
reports:
  activity:
    type: user_activity
    groups: [GRP0001]
`

// TestBinaryLogsNoSecrets runs every command at debug level, with scrapes, a failed login,
// reloads good and bad, and checks that no output holds a secret or an issued token.
func TestBinaryLogsNoSecrets(t *testing.T) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.SetCredentials(threecxtest.DefaultClientID, e2eSecret)
	recorder := &tokenRecorder{next: fake}
	server := httptest.NewServer(recorder)
	t.Cleanup(server.Close)

	secretFile := filepath.Join(t.TempDir(), "annex.secret")
	writeFile(t, secretFile, e2eSecret+"\n")
	configText := fmt.Sprintf(secretsConfig, server.URL, secretFile, wrongSecret)
	configFile := writeConfig(t, configText)
	env := []string{"THREECX_OFFICE_SECRET=" + e2eSecret}

	var output bytes.Buffer
	exporter := startExporterWithEnv(t, env, "--config.file="+configFile, "--log.level=debug")
	for _, target := range []string{"office", "annex", "broken", "office"} {
		httpGet(t, exporter.url("/probe?target="+target))
	}
	httpGet(t, exporter.url("/metrics"))
	if status, body := postReload(t, exporter); status != http.StatusOK {
		t.Fatalf("/-/reload: status %d:\n%s", status, body)
	}
	writeFile(t, configFile, strings.Replace(configText, "groups: [GRP0001]", "groups: []", 1))
	_, body := postReload(t, exporter)
	output.WriteString(body)
	if err := exporter.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, reloadTimeout, "the SIGHUP reload to fail", func() bool {
		return strings.Count(exporter.logs.String(), "config reload failed") == 2
	})
	exporter.stop()
	output.WriteString(exporter.logs.String())

	writeFile(t, configFile, configText)
	runs := [][]string{
		{"--config.check", "--config.check.connect"},
		{"download", "office", "activity", "--page-size=5"},
		{"download", "broken", "activity"},
	}
	for _, args := range runs {
		result := runBinary(t, env, append(args, "--config.file="+configFile, "--log.level=debug")...)
		output.WriteString(result.stdout + result.stderr)
	}

	tokens := recorder.issued()
	if len(tokens) < 3 {
		t.Fatalf("the fake issued %d tokens, want one per scrape, check and download at least", len(tokens))
	}
	logs := output.String()
	for _, want := range []string{`msg="config in effect"`, "client_secret: <secret>", "config reload failed", "target broken: FAILED"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the output does not contain %q, so the runs did not do what the test expects:\n%s", want, logs)
		}
	}
	for _, secret := range append([]string{e2eSecret, wrongSecret}, tokens...) {
		if strings.Contains(logs, secret) {
			t.Errorf("the output contains %q", secret)
		}
	}
}

// startExporterWithEnv is startExporter with env added to the process's environment.
func startExporterWithEnv(t *testing.T, env []string, args ...string) *exporterProcess {
	t.Helper()
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	return startExporter(t, args...)
}
