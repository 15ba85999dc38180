package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// commandTimeout bounds a run of the binary that is expected to exit by itself.
const commandTimeout = 30 * time.Second

// commandResult is the output and exit status of one run of the binary.
type commandResult struct {
	stdout, stderr string
	exitCode       int
}

// runBinary runs the binary with args and env added to the test's environment, and waits
// for it to exit.
func runBinary(t *testing.T, env []string, args ...string) commandResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, exporterBinary(t), args...)
	cmd.Env = append(cmd.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()

	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run %v: %v", args, err)
	}
	return commandResult{stdout: stdout.String(), stderr: stderr.String(), exitCode: cmd.ProcessState.ExitCode()}
}

// closedPortURL returns the URL of a loopback port that nothing listens on any more.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := l.Addr().String()
	l.Close()
	return "http://" + address
}

// checkConfigTemplate has three targets: good with the fake's secret, wrong_secret, and
// down on a closed port. The fields are the fake's URL, the closed port's URL and the
// secret of wrong_secret.
const checkConfigTemplate = `
targets:
  good:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ${CHECK_SECRET}
  wrong_secret:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %[3]s
  down:
    url: %[2]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ${CHECK_SECRET}
    timeout: 2s
reports:
  activity:
    type: user_activity
    groups: [GRP0001]
`

const wrongSecret = "wrong-secret-value"

func TestBinaryConfigCheck(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	valid := writeConfig(t, fmt.Sprintf(checkConfigTemplate, pbxURL, closedPortURL(t), wrongSecret))
	invalidText := strings.NewReplacer(
		"type: user_activity", "type: user_activty",
		"    timeout: 2s\n", "    timeout: 2s\n    max_concurrency: -1\n",
	).Replace(fmt.Sprintf(checkConfigTemplate, pbxURL, closedPortURL(t), wrongSecret))
	invalid := writeConfig(t, invalidText)
	env := []string{"CHECK_SECRET=" + e2eSecret}

	// The expected errors come from the config package, one per line. The binary gets the
	// secret from its environment, and the test process has none.
	_, loadErr := config.Parse([]byte(strings.ReplaceAll(invalidText, "${CHECK_SECRET}", e2eSecret)))
	if loadErr == nil {
		t.Fatal("the invalid config loads")
	}
	wantErrors := strings.Split(loadErr.Error(), "\n")
	if len(wantErrors) < 2 {
		t.Fatalf("the invalid config has %d errors, want several: %v", len(wantErrors), loadErr)
	}

	tests := []struct {
		name       string
		env        []string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "valid",
			env:        env,
			args:       []string{"--config.check", "--config.file=" + valid},
			wantCode:   checkOK,
			wantStdout: []string{"SUCCESS: " + valid + " is a valid config with 3 targets and 1 report"},
		},
		{
			name:       "invalid",
			env:        env,
			args:       []string{"--config.check", "--config.file=" + invalid},
			wantCode:   checkInvalidConfig,
			wantStderr: append([]string{"FAILED: " + invalid + " is not a valid config:"}, wantErrors...),
		},
		{
			name:     "secret variable unset",
			args:     []string{"--config.check", "--config.file=" + valid},
			wantCode: checkInvalidConfig,
			wantStderr: []string{
				"targets.down.client_secret: environment variable CHECK_SECRET is not set",
				"targets.good.client_secret: environment variable CHECK_SECRET is not set",
			},
		},
		{
			name:       "missing file",
			env:        env,
			args:       []string{"--config.check", "--config.file=" + valid + ".missing"},
			wantCode:   checkInvalidConfig,
			wantStderr: []string{"no such file or directory"},
		},
		{
			name:       "connect",
			env:        env,
			args:       []string{"--config.check", "--config.check.connect", "--config.file=" + valid},
			wantCode:   checkTokenFailed,
			wantStdout: []string{"target good: ok, the PBX issued an access token"},
			wantStderr: []string{
				"target down: FAILED: token request failed",
				"target wrong_secret: FAILED: token request failed with HTTP 400: invalid_client",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := runBinary(t, tt.env, tt.args...)
			if result.exitCode != tt.wantCode {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", result.exitCode, tt.wantCode, result.stdout, result.stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(result.stdout, want) {
					t.Errorf("stdout does not contain %q:\n%s", want, result.stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(result.stderr, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, result.stderr)
				}
			}
			for _, secret := range []string{e2eSecret, wrongSecret} {
				if strings.Contains(result.stdout+result.stderr, secret) {
					t.Errorf("the output contains the secret %q:\n%s%s", secret, result.stdout, result.stderr)
				}
			}
		})
	}
}

// TestBinaryConfigCheckConnectOrder makes sure that the per-target lines come in the order
// of the sorted names, whatever order the token requests finish in.
func TestBinaryConfigCheckConnectOrder(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	valid := writeConfig(t, fmt.Sprintf(checkConfigTemplate, pbxURL, closedPortURL(t), wrongSecret))

	result := runBinary(t, []string{"CHECK_SECRET=" + e2eSecret}, "--config.check", "--config.check.connect", "--config.file="+valid)
	var failed []string
	for _, line := range strings.Split(strings.TrimSpace(result.stderr), "\n") {
		name, _, ok := strings.Cut(strings.TrimPrefix(line, "target "), ": FAILED")
		if ok {
			failed = append(failed, name)
		}
	}
	if strings.Join(failed, ",") != "down,wrong_secret" {
		t.Errorf("failed targets in the order %v, want [down wrong_secret]:\n%s", failed, result.stderr)
	}
}

func TestBinaryConfigCheckConnectAlone(t *testing.T) {
	result := runBinary(t, nil, "--config.check.connect", "--config.file=/nonexistent")
	if result.exitCode == 0 {
		t.Errorf("exit status 0 for --config.check.connect without --config.check")
	}
	if !strings.Contains(result.stderr, "--config.check.connect works only together with --config.check") {
		t.Errorf("stderr does not explain the flag:\n%s", result.stderr)
	}
}

func TestConfigCheckPrintsWarnings(t *testing.T) {
	path := writeConfig(t, `
targets:
  fast:
    url: http://127.0.0.1:1
    client_id: prometheus
    client_secret: s3cret
  slow:
    url: http://127.0.0.1:1
    client_id: prometheus
    client_secret: s3cret
reports:
  today:
    type: user_activity
    groups: [GRP0001]
`)
	var stdout, stderr strings.Builder
	if status := checkConfig(&stdout, &stderr, path, false); status != checkOK {
		t.Errorf("status = %d, want %d: a warning does not make a config invalid", status, checkOK)
	}
	if !strings.Contains(stdout.String(), "SUCCESS") {
		t.Errorf("stdout = %q, want SUCCESS", stdout.String())
	}
	if want := "WARNING: targets.slow: same url host and client_id as targets.fast;"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
	}
}
