package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakefileStampsVersion builds the binary with the Makefile and checks that --version
// prints the version, revision and build date that the Makefile passed to -ldflags.
func TestMakefileStampsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the Makefile build in -short mode")
	}
	for _, tool := range []string{"make", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s is not installed", tool)
		}
	}
	revision, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("skipping: not in a git checkout: %v", err)
	}

	const (
		wantVersion   = "9.8.7-test"
		wantBuildDate = "20260301-12:00:00"
	)
	binary := filepath.Join(t.TempDir(), "threecx_exporter")
	// An empty BUILDFLAGS drops -trimpath, so that the build reuses the test run's cache.
	build := exec.Command("make", "build", "BUILDFLAGS=", "BINARY="+binary,
		"VERSION="+wantVersion, "BUILD_DATE="+wantBuildDate)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}

	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	for _, want := range []string{
		"version " + wantVersion,
		"revision: " + strings.TrimSpace(string(revision)),
		"build date:       " + wantBuildDate,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--version does not print %q:\n%s", want, out)
		}
	}
}
