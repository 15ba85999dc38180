package main

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
)

// newRoutes returns the exporter's HTTP endpoints. --web.config.file, applied around them
// by exporter-toolkit, puts TLS and basic auth in front of every one.
func newRoutes(handler *collector.Handler, reloader *reloader, gatherer prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", handler.Metrics(gatherer))
	mux.HandleFunc("/probe", handler.Probe)
	mux.Handle("/-/reload", reloader)
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	// The server starts only after the first config loaded, so it is ready once it serves.
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/", reloader.serveLanding)
	return mux
}

// newLandingPage returns the page at / with links to /metrics and to the /probe page of
// every target of cfg.
func newLandingPage(cfg *config.Config) (http.Handler, error) {
	metrics := "The exporter's own metrics"
	if len(cfg.Targets) == 1 {
		metrics += ", and those of its one target"
	}
	links := []web.LandingLinks{{Address: "/metrics", Text: "Metrics", Description: metrics}}
	for _, name := range cfg.TargetNames() {
		links = append(links, web.LandingLinks{
			Address:     "/probe?target=" + url.QueryEscape(name),
			Text:        "Probe " + name,
			Description: "Scrape the PBX " + name,
		})
	}
	links = append(links,
		web.LandingLinks{Address: "/-/healthy", Text: "Health", Description: "200 while the process runs"},
		web.LandingLinks{Address: "/-/ready", Text: "Readiness", Description: "200 once the config is loaded"},
	)

	return web.NewLandingPage(web.LandingConfig{
		Name:        "3CX Exporter",
		Description: "Prometheus exporter for the reports and live state of 3CX v20 PBXs",
		Version:     version.Info(),
		// The exporter serves no /debug/pprof, so the page must not link it.
		Profiling: "false",
		Form: web.LandingForm{
			Action: "/probe",
			Inputs: []web.LandingFormInput{{Label: "Target", Type: "text", Name: "target", Placeholder: "target name"}},
		},
		Links: links,
	})
}
