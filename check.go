package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/version"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
)

// Exit statuses of --config.check.
const (
	checkOK            = 0
	checkInvalidConfig = 1
	checkTokenFailed   = 2
)

// maxParallelTokenChecks is how many targets --config.check.connect contacts at once.
const maxParallelTokenChecks = 8

// checkConfig loads and validates the config file, prints the result, and with connect
// fetches a token from every target. Success goes to stdout and each error to stderr, one
// line each, in the order of the sorted names. It returns the exit status.
func checkConfig(stdout, stderr io.Writer, configFile string, connect bool) int {
	cfg, err := config.Load(configFile)
	if err != nil {
		fmt.Fprintf(stderr, "FAILED: %s is not a valid config:\n", configFile)
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "  %s\n", line)
		}
		return checkInvalidConfig
	}
	fmt.Fprintf(stdout, "SUCCESS: %s is a valid config with %s and %s\n",
		configFile, plural(len(cfg.Targets), "target"), plural(len(cfg.Reports), "report"))
	for _, warning := range cfg.Warnings {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	if !connect {
		return checkOK
	}

	status := checkOK
	names := cfg.TargetNames()
	for i, err := range fetchTokens(cfg) {
		if err != nil {
			fmt.Fprintf(stderr, "target %s: FAILED: %v\n", names[i], err)
			status = checkTokenFailed
			continue
		}
		fmt.Fprintf(stdout, "target %s: ok, the PBX issued an access token\n", names[i])
	}
	return status
}

// fetchTokens fetches an access token from each target of cfg, in the order of the sorted
// names, each within the target's timeout, and returns the errors.
func fetchTokens(cfg *config.Config) []error {
	names := cfg.TargetNames()
	errs := make([]error, len(names))
	slots := make(chan struct{}, maxParallelTokenChecks)
	var wg sync.WaitGroup
	for i, name := range names {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = fetchToken(cfg.Targets[name])
		})
	}
	wg.Wait()
	return errs
}

func fetchToken(tc *config.Target) error {
	client, err := collector.NewClient(tc, exporterName+"/"+version.Version)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(tc.Timeout))
	defer cancel()
	return client.Authenticate(ctx)
}

// plural returns n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
