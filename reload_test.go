package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// reloadTimeout bounds every wait for the exporter to act on a reload.
const reloadTimeout = 10 * time.Second

// waitFor polls cond every 20 ms until it holds, and fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		case <-ticker.C:
		}
	}
}

// postReload sends POST /-/reload and returns the status and body.
func postReload(t *testing.T, p *exporterProcess) (int, string) {
	t.Helper()
	resp, err := http.Post(p.url("/-/reload"), "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// reloadMetrics returns the two reload metrics of /metrics.
func reloadMetrics(t *testing.T, p *exporterProcess) (successful, timestamp float64) {
	t.Helper()
	status, body := httpGet(t, p.url("/metrics"))
	if status != http.StatusOK {
		t.Fatalf("/metrics: status %d:\n%s", status, body)
	}
	series := parseExposition(t, body)
	return series["threecx_config_last_reload_successful"], series["threecx_config_last_reload_success_timestamp_seconds"]
}

// reloadTrigger makes the exporter reload its config and waits until it did. It returns
// the HTTP status and body of /-/reload, or 0 and "" for SIGHUP.
type reloadTrigger func(t *testing.T, p *exporterProcess, wantOK bool) (int, string)

func reloadOverHTTP(t *testing.T, p *exporterProcess, _ bool) (int, string) {
	return postReload(t, p)
}

func reloadOnSIGHUP(t *testing.T, p *exporterProcess, wantOK bool) (int, string) {
	t.Helper()
	_, before := reloadMetrics(t, p)
	failuresBefore := strings.Count(p.logs.String(), "config reload failed")
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, reloadTimeout, "the reload after SIGHUP", func() bool {
		if wantOK {
			_, timestamp := reloadMetrics(t, p)
			return timestamp != before
		}
		return strings.Count(p.logs.String(), "config reload failed") > failuresBefore
	})
	return 0, ""
}

// twoTargetConfig is e2eConfig with a second target, annex, on the same PBX, and a report
// that only annex fetches.
const twoTargetConfig = e2eConfig + `
  annex_activity:
    type: user_activity
    window: 1h
    extensions: ["104"]
`

func twoTargets(pbxURL string) string {
	text := fmt.Sprintf(twoTargetConfig, pbxURL)
	annex := fmt.Sprintf(`
  annex:
    url: %s
    client_id: %s
    client_secret: %s
    reports: [annex_activity]
reports:`, pbxURL, threecxtest.DefaultClientID, e2eSecret)
	text = strings.Replace(text, "\nreports:", annex, 1)
	// office fetches every report unless it lists them. Its list is the one it had before.
	return strings.Replace(text, "    time_zone: Europe/Berlin\n", "    time_zone: Europe/Berlin\n    reports: [activity]\n", 1)
}

func TestBinaryReload(t *testing.T) {
	triggers := map[string]reloadTrigger{"HTTP": reloadOverHTTP, "SIGHUP": reloadOnSIGHUP}
	for name, trigger := range triggers {
		t.Run(name, func(t *testing.T) {
			fake, pbxURL, _ := startFakePBX(t)
			configFile := writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL))
			exporter := startExporter(t, "--config.file="+configFile)

			if status, body := httpGet(t, exporter.url("/probe?target=office")); status != http.StatusOK {
				t.Fatalf("/probe before the reload: status %d:\n%s", status, body)
			}
			successful, firstLoad := reloadMetrics(t, exporter)
			if successful != 1 {
				t.Errorf("threecx_config_last_reload_successful after start = %v, want 1", successful)
			}
			if firstLoad <= 0 {
				t.Errorf("threecx_config_last_reload_success_timestamp_seconds after start = %v, want a time", firstLoad)
			}

			t.Run("good config", func(t *testing.T) {
				writeFile(t, configFile, twoTargets(pbxURL))
				status, body := trigger(t, exporter, true)
				if name == "HTTP" && status != http.StatusOK {
					t.Fatalf("/-/reload: status %d, want 200:\n%s", status, body)
				}

				successful, timestamp := reloadMetrics(t, exporter)
				if successful != 1 {
					t.Errorf("threecx_config_last_reload_successful = %v, want 1", successful)
				}
				if timestamp <= firstLoad {
					t.Errorf("threecx_config_last_reload_success_timestamp_seconds = %v, want after %v", timestamp, firstLoad)
				}
				if _, page := httpGet(t, exporter.url("/")); !strings.Contains(page, "/probe?target=annex") {
					t.Errorf("the landing page does not link the new target annex:\n%s", page)
				}

				// office did not change, so it keeps its token.
				if status, body := httpGet(t, exporter.url("/probe?target=office")); status != http.StatusOK {
					t.Fatalf("/probe?target=office: status %d:\n%s", status, body)
				}
				if got := fake.TokenRequests(); got != 1 {
					t.Errorf("token requests after scraping the kept target = %d, want 1", got)
				}
				if status, body := httpGet(t, exporter.url("/probe?target=annex")); status != http.StatusOK {
					t.Errorf("/probe?target=annex: status %d:\n%s", status, body)
				}

				// With two targets, /metrics carries no target's metrics.
				if _, body := httpGet(t, exporter.url("/metrics")); strings.Contains(body, "\nthreecx_up ") {
					t.Errorf("/metrics scrapes a target although the config has two:\n%s", body)
				}
			})

			t.Run("bad config", func(t *testing.T) {
				_, goodLoad := reloadMetrics(t, exporter)
				writeFile(t, configFile, strings.Replace(twoTargets(pbxURL), "time_zone: Europe/Berlin", "time_zone: Europe/Berln", 1))
				status, body := trigger(t, exporter, false)

				wantError := `targets.office.time_zone: unknown time zone "Europe/Berln"`
				if name == "HTTP" {
					if status != http.StatusInternalServerError {
						t.Errorf("/-/reload: status %d, want 500", status)
					}
					if !strings.Contains(body, wantError) {
						t.Errorf("/-/reload body does not contain %q:\n%s", wantError, body)
					}
				}
				// logfmt escapes the quotes of the error. The log reaches the test through a
				// pipe, so it may arrive after the HTTP answer.
				wantLogged := "targets.office.time_zone: unknown time zone"
				waitFor(t, reloadTimeout, "the logged reload error", func() bool {
					return strings.Contains(exporter.logs.String(), wantLogged)
				})

				successful, timestamp := reloadMetrics(t, exporter)
				if successful != 0 {
					t.Errorf("threecx_config_last_reload_successful = %v, want 0", successful)
				}
				if timestamp != goodLoad {
					t.Errorf("threecx_config_last_reload_success_timestamp_seconds = %v, want %v from the last good load", timestamp, goodLoad)
				}
				for _, target := range []string{"office", "annex"} {
					if status, body := httpGet(t, exporter.url("/probe?target="+target)); status != http.StatusOK {
						t.Errorf("/probe?target=%s after the rejected reload: status %d:\n%s", target, status, body)
					}
				}
			})
		})
	}
}

func TestBinaryReloadMethod(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL)))

	resp, err := http.Get(exporter.url("/-/reload"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: status %d, want 405", resp.StatusCode)
	}
	if allow := resp.Header.Get("Allow"); allow != http.MethodPost {
		t.Errorf("GET /-/reload: Allow %q, want POST", allow)
	}
}

func TestBinaryHealthEndpoints(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL)))

	for _, path := range []string{"/-/healthy", "/-/ready"} {
		if status, body := httpGet(t, exporter.url(path)); status != http.StatusOK {
			t.Errorf("%s: status %d, want 200:\n%s", path, status, body)
		}
	}
}

func TestBinaryLandingPage(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, twoTargets(pbxURL)))

	status, page := httpGet(t, exporter.url("/"))
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200", status)
	}
	for _, link := range []string{`href="/probe?target=annex"`, `href="/probe?target=office"`, `href="/metrics"`} {
		if !strings.Contains(page, link) {
			t.Errorf("the landing page has no link %s:\n%s", link, page)
		}
	}
	if status, _ := httpGet(t, exporter.url("/no-such-page")); status != http.StatusNotFound {
		t.Errorf("/no-such-page: status %d, want 404", status)
	}
}

func TestBinaryProbeUnknownTarget(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, twoTargets(pbxURL)))

	status, body := httpGet(t, exporter.url("/probe?target=elsewhere"))
	if status != http.StatusBadRequest {
		t.Errorf("status %d, want 400", status)
	}
	for _, name := range []string{"office", "annex"} {
		if strings.Contains(body, name) {
			t.Errorf("the answer names the configured target %s:\n%s", name, body)
		}
	}
	waitFor(t, reloadTimeout, "the log line of the unknown target", func() bool {
		return strings.Contains(exporter.logs.String(), "probe for an unknown target")
	})
	logs := exporter.logs.String()
	for _, name := range []string{"elsewhere", "annex", "office"} {
		if !strings.Contains(logs, name) {
			t.Errorf("the log does not name %s:\n%s", name, logs)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBinaryReloadRereadsSecretFile(t *testing.T) {
	fake, pbxURL, _ := startFakePBX(t)
	secretFile := filepath.Join(t.TempDir(), "client_secret")
	writeFile(t, secretFile, e2eSecret+"\n")
	text := strings.Replace(fmt.Sprintf(e2eConfig, pbxURL), "client_secret: "+e2eSecret, "client_secret_file: "+secretFile, 1)
	exporter := startExporter(t, "--config.file="+writeConfig(t, text))

	up := func() float64 {
		_, body := httpGet(t, exporter.url("/probe?target=office"))
		return parseExposition(t, body)["threecx_up"]
	}
	if got := up(); got != 1 {
		t.Fatalf("threecx_up with the first secret = %v, want 1", got)
	}

	// The PBX's API client gets a new secret, which ends the session of the old one.
	const rotated = "rotated-secret-value"
	fake.SetCredentials(threecxtest.DefaultClientID, rotated)
	fake.RevokeToken()
	if got := up(); got != 0 {
		t.Fatalf("threecx_up after the rotation, before the reload = %v, want 0", got)
	}

	writeFile(t, secretFile, rotated+"\n")
	if status, body := postReload(t, exporter); status != http.StatusOK {
		t.Fatalf("/-/reload: status %d:\n%s", status, body)
	}
	if got := up(); got != 1 {
		t.Errorf("threecx_up after the reload = %v, want 1", got)
	}
}
