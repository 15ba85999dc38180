// Command threecx_exporter serves the reports and live state of 3CX v20 PBXs as Prometheus
// metrics, read from their XAPI.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
	_ "time/tzdata" // Time zones must load on hosts without a zoneinfo database.

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	webflag "github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
)

const exporterName = "threecx_exporter"

// defaultListenAddress is the exporter's port.
const defaultListenAddress = ":9941"

// shutdownTimeout is how long scrapes in progress may take to finish after SIGTERM.
const shutdownTimeout = 5 * time.Second

// serveFlags are the settings of the exporter's server.
type serveFlags struct {
	configFile    string
	demo          bool
	timeoutOffset time.Duration
	web           *web.FlagConfig
}

func main() {
	var (
		serve serveFlags
		check = kingpin.Flag("config.check", "Load and validate the config file, print every error found, and exit with status 0 when it is valid and 1 when not"+
			" (2 when --config.check.connect could not get a token from a target).").Bool()
		checkTokens = kingpin.Flag("config.check.connect",
			"With --config.check, also fetch an access token from each target and print per target whether it worked."+
				" 3CX keeps one live token per client ID, so a running exporter with the same client ID fetches a new one at its next scrape.").Bool()
	)
	kingpin.Flag("config.file", "Path of the configuration file.").Default("exporter.yml").StringVar(&serve.configFile)
	kingpin.Flag("scrape.timeout-offset", "Time subtracted from Prometheus' scrape timeout to leave room for writing the answer.").
		Default(collector.DefaultTimeoutOffset.String()).DurationVar(&serve.timeoutOffset)
	kingpin.Flag("demo", "Start a fake PBX in the process and scrape it with a built-in config; --config.file is ignored.").BoolVar(&serve.demo)
	serve.web = webflag.AddFlags(kingpin.CommandLine, defaultListenAddress)

	serveCommand := kingpin.Command("serve", "Serve metrics on the listen address. This is the default command.").Default()
	download := addDownloadCommand(kingpin.CommandLine)

	logConfig := &promslog.Config{}
	flag.AddFlags(kingpin.CommandLine, logConfig)
	setVersionFromBuildInfo()
	kingpin.Version(version.Print(exporterName))
	kingpin.HelpFlag.Short('h')
	command := kingpin.Parse()
	logger := promslog.New(logConfig)
	// The demo serves a fake PBX and an unauthenticated /-/reload, so unless told otherwise
	// it listens on the loopback interface only.
	if serve.demo && slices.Equal(*serve.web.WebListenAddresses, []string{defaultListenAddress}) {
		*serve.web.WebListenAddresses = []string{"127.0.0.1" + defaultListenAddress}
	}

	if *checkTokens && !*check {
		kingpin.Fatalf("--config.check.connect works only together with --config.check")
	}
	switch {
	case command == download.command.FullCommand():
		os.Exit(download.run(logger, serve.configFile, serve.demo))
	case *check:
		os.Exit(checkConfig(os.Stdout, os.Stderr, serve.configFile, *checkTokens))
	case command != serveCommand.FullCommand():
		kingpin.Fatalf("unknown command %q", command)
	}

	if err := run(logger, serve); err != nil {
		logger.Error("exporter stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger, flags serveFlags) error {
	logger.Info("starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())
	// SIGHUP ends a Go program unless it is caught, so catch it before anything else.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	load := func() (*config.Config, error) { return config.Load(flags.configFile) }
	source := flags.configFile
	if flags.demo {
		cfg, stop, err := startDemo(logger)
		if err != nil {
			return err
		}
		defer stop()
		load = func() (*config.Config, error) { return cfg, nil }
		source = "built-in demo config"
	}

	handler := collector.NewHandler(logger, flags.timeoutOffset)
	metrics := collector.NewMetrics()
	reloader := newReloader(logger, source, load, handler, collector.Options{
		Logger:    logger,
		Metrics:   metrics,
		UserAgent: exporterName + "/" + version.Version,
	})
	if err := reloader.start(); err != nil {
		return err
	}
	prometheus.MustRegister(versioncollector.NewCollector(exporterName), reloader, metrics)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go reloader.watchSIGHUP(ctx, hup)

	server := &http.Server{
		Handler:           newRoutes(handler, reloader, prometheus.DefaultGatherer),
		ReadHeaderTimeout: 10 * time.Second,
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(server, flags.web, logger) }()

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	logger.Info("stopping " + exporterName)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
