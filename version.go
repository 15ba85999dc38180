package main

import (
	"runtime/debug"
	"strings"

	"github.com/prometheus/common/version"
)

// setVersionFromBuildInfo fills in the version and the build date from what the Go
// toolchain records in the binary, when -ldflags did not set them. That is the case for
// go install and a plain go build. The revision needs no help: prometheus/common/version
// reads it from the same record.
func setVersionFromBuildInfo() {
	info, ok := debug.ReadBuildInfo()
	if ok && version.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version.Version = strings.TrimPrefix(info.Main.Version, "v")
	}
	// go run and go build in a clone record no version; say so rather than print nothing.
	if version.Version == "" {
		version.Version = "devel"
	}
	if !ok {
		return
	}
	if version.BuildDate != "" {
		return
	}
	for _, setting := range info.Settings {
		if setting.Key == "vcs.time" {
			version.BuildDate = setting.Value
		}
	}
}
