// Command threecx_exporter serves the reports and live state of 3CX v20 PBXs as Prometheus
// metrics, read from their XAPI.
package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
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

func main() {
	var (
		configFile    = kingpin.Flag("config.file", "Path of the configuration file.").Default("exporter.yml").String()
		timeoutOffset = kingpin.Flag("scrape.timeout-offset",
			"Time subtracted from Prometheus' scrape timeout to leave room for writing the answer.").
			Default(collector.DefaultTimeoutOffset.String()).Duration()
		demo = kingpin.Flag("demo",
			"Start a fake PBX in the process and scrape it with a built-in config; --config.file is ignored.").Bool()
		webConfig = webflag.AddFlags(kingpin.CommandLine, defaultListenAddress)
	)
	logConfig := &promslog.Config{}
	flag.AddFlags(kingpin.CommandLine, logConfig)
	kingpin.Version(version.Print(exporterName))
	kingpin.HelpFlag.Short('h')
	kingpin.Parse()

	logger := promslog.New(logConfig)
	if err := run(logger, *configFile, *demo, *timeoutOffset, webConfig); err != nil {
		logger.Error("exporter stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger, configFile string, demo bool, timeoutOffset time.Duration, webConfig *web.FlagConfig) error {
	logger.Info("starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())

	var cfg *config.Config
	var err error
	if demo {
		var stop func()
		cfg, stop, err = startDemo(logger)
		if err != nil {
			return err
		}
		defer stop()
	} else {
		cfg, err = config.Load(configFile)
		if err != nil {
			return fmt.Errorf("invalid config file %q: %w", configFile, err)
		}
	}

	targets, err := collector.NewTargets(cfg, collector.Options{
		Logger:    logger,
		UserAgent: exporterName + "/" + version.Version,
	})
	if err != nil {
		return err
	}
	logger.Info("loaded config", "file", configFile, "targets", len(cfg.Targets), "reports", len(cfg.Reports))

	handler := collector.NewHandler(logger, timeoutOffset)
	handler.SetTargets(targets)

	prometheus.MustRegister(versioncollector.NewCollector(exporterName))

	mux := http.NewServeMux()
	mux.Handle("/metrics", handler.Metrics(prometheus.DefaultGatherer))
	mux.HandleFunc("/probe", handler.Probe)
	landing, err := newLandingPage(cfg)
	if err != nil {
		return err
	}
	mux.Handle("/", landing)

	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return web.ListenAndServe(server, webConfig, logger)
}

func newLandingPage(cfg *config.Config) (http.Handler, error) {
	links := []web.LandingLinks{{Address: "/metrics", Text: "Metrics", Description: "The exporter's own metrics"}}
	for _, name := range cfg.TargetNames() {
		links = append(links, web.LandingLinks{
			Address:     "/probe?target=" + url.QueryEscape(name),
			Text:        "Probe " + name,
			Description: "Scrape the PBX " + name,
		})
	}

	return web.NewLandingPage(web.LandingConfig{
		Name:        "3CX Exporter",
		Description: "Prometheus exporter for the reports and live state of 3CX v20 PBXs",
		Version:     version.Info(),
		Form: web.LandingForm{
			Action: "/probe",
			Inputs: []web.LandingFormInput{{Label: "Target", Type: "text", Name: "target", Placeholder: "target name"}},
		},
		Links: links,
	})
}
