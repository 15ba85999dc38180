package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Paths of the shipped systemd files and the paths they install to.
const (
	unitPath           = "contrib/systemd/threecx_exporter.service"
	defaultsPath       = "contrib/systemd/threecx_exporter.default"
	secretsExamplePath = "contrib/systemd/secrets.env.example"
	installedBinary    = "/usr/local/bin/threecx_exporter"
	installedConfig    = "/etc/threecx_exporter/exporter.yml"
)

// readEnvironmentFile returns the assignments of a systemd EnvironmentFile, with the
// quotes around a value removed.
func readEnvironmentFile(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is not NAME=value", path, line)
		}
		env[name] = strings.Trim(value, `"`)
	}
	return env
}

// unitCommands returns the command lines of key (ExecStart, ExecReload) in the unit.
func unitCommands(unit, key string) []string {
	var commands []string
	for _, line := range strings.Split(unit, "\n") {
		if command, ok := strings.CutPrefix(line, key+"="); ok {
			commands = append(commands, command)
		}
	}
	return commands
}

// TestSystemdUnitCommands runs the unit's ExecStart and ExecReload command lines, with the
// flags of the shipped defaults, as config checks of a config that uses the secret of the
// shipped secrets example. Every flag must parse and the config must check.
func TestSystemdUnitCommands(t *testing.T) {
	unitData, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(unitData)
	defaults := readEnvironmentFile(t, defaultsPath)
	secrets := readEnvironmentFile(t, secretsExamplePath)

	_, pbxURL, _ := startFakePBX(t)
	configText := strings.Replace(fmt.Sprintf(e2eConfig, pbxURL), "client_secret: "+e2eSecret,
		"client_secret: ${THREECX_OFFICE_SECRET}", 1)
	configFile := writeConfig(t, configText)
	var env []string
	for name, value := range secrets {
		env = append(env, name+"="+value)
	}

	commands := append(unitCommands(unit, "ExecStart"), unitCommands(unit, "ExecReload")...)
	if len(commands) < 2 {
		t.Fatalf("the unit has %d ExecStart and ExecReload lines, want at least 2", len(commands))
	}
	for _, command := range commands {
		fields := strings.Fields(strings.ReplaceAll(command, "$ARGS", defaults["ARGS"]))
		if fields[0] != installedBinary {
			continue
		}
		t.Run(strings.Join(fields[1:], " "), func(t *testing.T) {
			var args []string
			for _, field := range fields[1:] {
				args = append(args, strings.ReplaceAll(field, installedConfig, configFile))
			}
			if !strings.Contains(command, "--config.check") {
				args = append(args, "--config.check")
			}
			result := runBinary(t, env, args...)
			if result.exitCode != checkOK {
				t.Errorf("exit status %d, want %d:\n%s%s", result.exitCode, checkOK, result.stdout, result.stderr)
			}
		})
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit with the binary's path
// replaced by the built binary, and wants no warning.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("skipping: systemd-analyze is not installed")
	}
	unitData, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(unitData), installedBinary, exporterBinary(t))
	path := filepath.Join(t.TempDir(), filepath.Base(unitPath))
	writeFile(t, path, unit)

	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	if len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify warns:\n%s", out)
	}
}
