package collector

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultTimeoutOffset is how much earlier than Prometheus' scrape timeout a scrape ends,
// to leave time for writing the response.
const DefaultTimeoutOffset = 500 * time.Millisecond

// Handler serves /probe for every target, and /metrics, which carries the target's metrics
// next to the exporter's own when the config has exactly one target.
type Handler struct {
	logger        *slog.Logger
	timeoutOffset time.Duration
	targets       atomic.Pointer[map[string]*Target]
}

// NewHandler returns a handler with no targets. Call SetTargets before serving.
func NewHandler(logger *slog.Logger, timeoutOffset time.Duration) *Handler {
	return &Handler{logger: logger, timeoutOffset: timeoutOffset}
}

// SetTargets replaces the targets. Scrapes in progress finish with the old ones.
func (h *Handler) SetTargets(targets map[string]*Target) {
	h.targets.Store(&targets)
}

// Targets returns the current targets.
func (h *Handler) Targets() map[string]*Target {
	if p := h.targets.Load(); p != nil {
		return *p
	}
	return nil
}

// Probe serves /probe?target=NAME. NAME must be a configured target; anything else, a URL
// included, gets 400 and causes no request to any PBX.
func (h *Handler) Probe(w http.ResponseWriter, r *http.Request) {
	values := r.URL.Query()["target"]
	if len(values) > 1 {
		http.Error(w, fmt.Sprintf("the target parameter is given %d times: use /probe?target=NAME once", len(values)), http.StatusBadRequest)
		return
	}
	name := r.URL.Query().Get("target")
	if name == "" {
		http.Error(w, "the target parameter is missing: use /probe?target=NAME with a target name from the config", http.StatusBadRequest)
		return
	}
	targets := h.Targets()
	target, ok := targets[name]
	if !ok {
		// The response does not list the configured names, so that a caller learns nothing
		// about other PBXs.
		h.logger.Warn("probe for an unknown target", "target", name, "configured", sortedKeys(targets))
		http.Error(w, fmt.Sprintf("unknown target %q: the value must be a target name from the config", name), http.StatusBadRequest)
		return
	}

	h.serveTarget(w, r, target, nil)
}

// Metrics returns the handler of /metrics, which serves gatherer and, when there is exactly
// one target, that target's metrics too.
func (h *Handler) Metrics(gatherer prometheus.Gatherer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targets := h.Targets()
		if len(targets) != 1 {
			promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
				ErrorHandling: promhttp.ContinueOnError,
				ErrorLog:      slog.NewLogLogger(h.logger.Handler(), slog.LevelError),
			}).ServeHTTP(w, r)
			return
		}
		for _, target := range targets {
			h.serveTarget(w, r, target, gatherer)
		}
	})
}

// serveTarget scrapes target within the scrape's deadline and writes its metrics, with
// those of extra when extra is not nil.
func (h *Handler) serveTarget(w http.ResponseWriter, r *http.Request, target *Target, extra prometheus.Gatherer) {
	timeout, err := h.scrapeTimeout(r, time.Duration(target.Config.Timeout))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()

	registry := prometheus.NewRegistry()
	registry.MustRegister(target.Collector(ctx))

	var gatherer prometheus.Gatherer = registry
	if extra != nil {
		// Gatherers gathers in order. The target goes first, so that the request counters
		// among the exporter's own metrics already count this scrape's requests.
		gatherer = prometheus.Gatherers{registry, extra}
	}
	// With ContinueOnError a series that the registry rejects, such as a duplicate, is
	// left out of the response, so the log is the only place that shows it.
	promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(target.logger.Handler(), slog.LevelError),
	}).ServeHTTP(w, r)
}

// scrapeTimeout returns Prometheus' scrape timeout less the offset, capped by limit, or
// limit when Prometheus sent no timeout.
func (h *Handler) scrapeTimeout(r *http.Request, limit time.Duration) (time.Duration, error) {
	header := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if header == "" {
		return limit, nil
	}
	seconds, err := strconv.ParseFloat(header, 64)
	if err != nil || seconds <= 0 || math.IsNaN(seconds) || math.IsInf(seconds, 0) {
		return 0, fmt.Errorf("invalid X-Prometheus-Scrape-Timeout-Seconds %q: want a positive number of seconds", header)
	}
	// The limit applies anyway, and a larger value could overflow time.Duration into a
	// deadline in the past.
	if seconds >= (limit + h.timeoutOffset).Seconds() {
		return limit, nil
	}

	timeout := time.Duration(seconds * float64(time.Second))
	if timeout > h.timeoutOffset {
		timeout -= h.timeoutOffset
	}
	return min(timeout, limit), nil
}
