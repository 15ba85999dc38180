package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
)

var (
	reloadSuccessDesc = prometheus.NewDesc(
		"threecx_config_last_reload_successful",
		"1 when the last load of the config file worked, 0 when it failed and the previous config is still in use.",
		nil, nil)
	reloadTimestampDesc = prometheus.NewDesc(
		"threecx_config_last_reload_success_timestamp_seconds",
		"Time of the last load of the config file that worked, in seconds since the Unix epoch.",
		nil, nil)
)

// reloader loads the config at start and again on SIGHUP or POST /-/reload. A config that
// fails to load or validate is rejected and the running one stays. It is also the collector
// of the reload metrics.
type reloader struct {
	logger  *slog.Logger
	source  string
	load    func() (*config.Config, error)
	handler *collector.Handler
	options collector.Options

	// mu serialises reloads and guards the fields below.
	mu          sync.Mutex
	cfg         *config.Config
	lastOK      bool
	lastSuccess time.Time
	landing     http.Handler
}

func newReloader(logger *slog.Logger, source string, load func() (*config.Config, error),
	handler *collector.Handler, options collector.Options) *reloader {
	return &reloader{logger: logger, source: source, load: load, handler: handler, options: options}
}

// start loads the config for the first time. Unlike a reload, a failure here is fatal.
func (r *reloader) start() error {
	if err := r.reload(); err != nil {
		return fmt.Errorf("invalid config (%s): %w", r.source, err)
	}
	return nil
}

// reload loads the config and swaps in its targets, keeping those whose settings did not
// change. The new set is complete before the swap, so a scrape sees the old set or the new.
func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()

	cfg, err := r.load()
	if err == nil {
		err = r.apply(cfg)
	}
	r.lastOK = err == nil
	if err != nil {
		return err
	}
	r.lastSuccess = time.Now()
	return nil
}

// apply switches to cfg. It is called with mu held.
func (r *reloader) apply(cfg *config.Config) error {
	landing, err := newLandingPage(cfg)
	if err != nil {
		return fmt.Errorf("build the landing page: %w", err)
	}
	old := r.handler.Targets()
	targets, kept, err := collector.ReuseTargets(r.cfg, old, cfg, r.options)
	if err != nil {
		return err
	}

	r.handler.SetTargets(targets)
	r.cfg = cfg
	r.landing = landing
	for _, warning := range cfg.Warnings {
		r.logger.Warn("config warning", "config", r.source, "warning", warning)
	}

	dropped := 0
	for name, t := range old {
		if targets[name] != t {
			t.Close()
			dropped++
		}
		if _, ok := cfg.Targets[name]; !ok {
			r.options.Metrics.Forget(name)
		}
	}
	r.logger.Info("loaded config", "config", r.source, "targets", len(cfg.Targets),
		"reports", len(cfg.Reports), "targets_kept", len(kept), "targets_replaced", dropped)
	r.logDebugConfig(cfg, kept)
	return nil
}

// logDebugConfig logs, at debug level, the config in effect with its defaults filled in
// and which targets kept their Target. Secrets marshal as "<secret>".
func (r *reloader) logDebugConfig(cfg *config.Config, kept []string) {
	if !r.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	for _, name := range cfg.TargetNames() {
		r.logger.Debug("target loaded", "target", name, "kept", slices.Contains(kept, name))
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		r.logger.Debug("config in effect cannot be shown", "err", err)
		return
	}
	r.logger.Debug("config in effect", "yaml", string(data))
}

// reloadAndLog reloads and logs a failure, which leaves the running config in place.
func (r *reloader) reloadAndLog(trigger string) error {
	err := r.reload()
	if err != nil {
		r.logger.Error("config reload failed; the previous config stays in use",
			"config", r.source, "trigger", trigger, "err", err)
	}
	return err
}

// watchSIGHUP reloads for every signal on hup until ctx ends.
func (r *reloader) watchSIGHUP(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reloadAndLog("SIGHUP")
		}
	}
}

// ServeHTTP serves POST /-/reload: 200 when the new config is in use, 500 with the error
// when it was rejected.
func (r *reloader) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST to reload the config", http.StatusMethodNotAllowed)
		return
	}
	if err := r.reloadAndLog("HTTP"); err != nil {
		http.Error(w, "config reload failed; the previous config stays in use:\n"+err.Error(),
			http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "config reloaded")
}

// serveLanding serves the landing page of the config in use.
func (r *reloader) serveLanding(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	landing := r.landing
	r.mu.Unlock()
	landing.ServeHTTP(w, req)
}

// Describe sends the descriptions of the reload metrics.
func (r *reloader) Describe(ch chan<- *prometheus.Desc) {
	ch <- reloadSuccessDesc
	ch <- reloadTimestampDesc
}

// Collect sends the reload metrics.
func (r *reloader) Collect(ch chan<- prometheus.Metric) {
	r.mu.Lock()
	ok, success := r.lastOK, r.lastSuccess
	r.mu.Unlock()

	ch <- prometheus.MustNewConstMetric(reloadSuccessDesc, prometheus.GaugeValue, boolValue(ok))
	ch <- prometheus.MustNewConstMetric(reloadTimestampDesc, prometheus.GaugeValue,
		float64(success.UnixNano())/1e9)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
