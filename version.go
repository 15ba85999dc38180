package main

import (
	"runtime/debug"
	"strings"

	"github.com/prometheus/common/version"
)

// setVersionFromBuildInfo fills in the version from what the Go toolchain records in the
// binary, when -ldflags did not set it. That is the case for go install module@version. A
// build date is left to -ldflags: the toolchain records only the commit's time, which is
// not when the binary was built. The revision needs no help: prometheus/common/version
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
}
