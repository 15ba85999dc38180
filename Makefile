# Builds the exporter with its version, revision and build date stamped into
# prometheus/common/version, which --version and threecx_exporter_build_info show.
# Override any variable on the command line: make build VERSION=1.2.0

GO         ?= go
BINARY     ?= threecx_exporter
PREFIX     ?= /usr/local
# BUILDFLAGS are extra flags of go build. -trimpath keeps local paths out of the binary.
BUILDFLAGS ?= -trimpath

VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null | sed 's/^v//')
REVISION   ?= $(shell git rev-parse HEAD 2>/dev/null)
BRANCH     ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null)
BUILD_USER ?= $(shell whoami)@$(shell hostname)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)

VERSION_PACKAGE := github.com/prometheus/common/version
LDFLAGS := -X '$(VERSION_PACKAGE).Version=$(VERSION)' \
	-X '$(VERSION_PACKAGE).Revision=$(REVISION)' \
	-X '$(VERSION_PACKAGE).Branch=$(BRANCH)' \
	-X '$(VERSION_PACKAGE).BuildUser=$(BUILD_USER)' \
	-X '$(VERSION_PACKAGE).BuildDate=$(BUILD_DATE)'

.PHONY: all build test install clean

all: test build

build:
	$(GO) build $(BUILDFLAGS) -ldflags "$(LDFLAGS)" -o $(BINARY) .

test:
	$(GO) vet ./...
	$(GO) test -race ./...

# install copies the binary that make build made to $(PREFIX)/bin, where contrib/systemd
# expects it. It does not build, because root, which install usually runs as, often has no
# go on its PATH.
install:
	@test -f $(BINARY) || { echo "$(BINARY) not found: run make build first" >&2; exit 1; }
	install -D -m 0755 $(BINARY) $(DESTDIR)$(PREFIX)/bin/$(BINARY)

clean:
	rm -f $(BINARY)
