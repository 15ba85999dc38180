// Package collector turns XAPI reports into Prometheus metrics. A Target is one configured
// PBX; its Collector fetches every report of the target once per scrape.
package collector

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

// Options are shared by every target of an exporter.
type Options struct {
	Logger *slog.Logger
	// HTTPClient, when set, sends the requests of every target, and its transport's TLS
	// settings apply instead of each target's tls_config. Nil means a client of its own
	// for each target, built from its tls_config.
	HTTPClient *http.Client
	// Metrics, when set, counts the requests each target sends.
	Metrics *Metrics
	// Now is the clock that windows are computed from; nil means time.Now.
	Now       func() time.Time
	UserAgent string
}

// Target is one PBX: its client with the one access token, its concurrency limit and its
// reports. It is created once and reused by every scrape.
type Target struct {
	Name    string
	Config  *config.Target
	client  *threecx.Client
	reports []report
	// states holds the shared fetch and the cache of each report, in the order of reports.
	states []*reportState
	// infos holds the threecx_report_info series of each report, in the order of reports.
	infos []prometheus.Metric
	// ownClient is the HTTP client made for this target, or nil when Options gave one.
	ownClient *http.Client
	// slots limits the report requests in flight to the PBX across all concurrent scrapes.
	slots  chan struct{}
	logger *slog.Logger
	now    func() time.Time
}

// NewTargets creates a Target for every target in cfg.
func NewTargets(cfg *config.Config, o Options) (map[string]*Target, error) {
	targets := make(map[string]*Target, len(cfg.Targets))
	for _, name := range cfg.TargetNames() {
		t, err := NewTarget(name, cfg, o)
		if err != nil {
			for _, built := range targets {
				built.Close()
			}
			return nil, err
		}
		targets[name] = t
	}
	return targets, nil
}

// NewTarget creates the Target of cfg.Targets[name]. It makes no request.
func NewTarget(name string, cfg *config.Config, o Options) (*Target, error) {
	tc, ok := cfg.Targets[name]
	if !ok {
		return nil, fmt.Errorf("unknown target %q", name)
	}

	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}

	httpClient, ownClient := o.HTTPClient, (*http.Client)(nil)
	if httpClient == nil {
		ownClient = NewHTTPClient(tc)
		httpClient = ownClient
	}
	options := clientOptions(tc, httpClient, o.UserAgent)
	options.OnRequest, options.OnTokenFetch = o.Metrics.hooks(name)
	client, err := threecx.New(options)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", name, err)
	}

	t := &Target{
		Name:      name,
		Config:    tc,
		client:    client,
		ownClient: ownClient,
		slots:     make(chan struct{}, tc.MaxConcurrency),
		logger:    logger.With("target", name),
		now:       now,
	}
	if tc.TLSConfig.InsecureSkipVerify {
		t.logger.Warn("TLS certificate verification is off for this target (insecure_skip_verify):" +
			" anyone on the network path can pose as the PBX and receive the client secret")
	}
	for _, reportName := range tc.Reports {
		r, err := newReport(reportName, cfg.Reports[reportName], tc)
		if err != nil {
			return nil, fmt.Errorf("target %q: %w", name, err)
		}
		t.reports = append(t.reports, r)
		t.states = append(t.states, newReportState(r, time.Duration(cfg.Reports[reportName].MinInterval)))
		t.infos = append(t.infos, newReportInfo(reportName, cfg.Reports[reportName]))
	}
	return t, nil
}

// report fetches one configured report and turns it into metrics.
type report interface {
	// name returns the report's name in the config, which is its report label.
	name() string
	// fetch makes the report's requests through s and returns the data of those that
	// worked, with an error that joins the failures of the others.
	fetch(s *scrape) (*reportData, error)
}

// reportData is what one report produced in one scrape.
type reportData struct {
	metrics []prometheus.Metric
	// names holds display names by kind ("extension", "queue") and number. The collector
	// merges them across reports into one info series per number.
	names map[string]map[string]string
}

// addName records the display name of an extension or a queue. An empty name is skipped.
func (d *reportData) addName(kind, number, name string) {
	if name == "" || number == "" {
		return
	}
	if d.names == nil {
		d.names = map[string]map[string]string{}
	}
	if d.names[kind] == nil {
		d.names[kind] = map[string]string{}
	}
	d.names[kind][number] = name
}

var reportInfoDesc = prometheus.NewDesc(
	"threecx_report_info",
	"Type and window of a report, always 1. window is \"today\", a duration such as 1h, or empty"+
		" for live state. Rules that treat a today gauge as a counter select window=\"today\".",
	[]string{"report", "type", "window"}, nil)

func newReportInfo(name string, rc *config.Report) prometheus.Metric {
	window := ""
	if rc.Window != "" {
		window = rc.ParsedWindow.String()
	}
	return prometheus.MustNewConstMetric(reportInfoDesc, prometheus.GaugeValue, 1, name, rc.Type, window)
}

func newReport(name string, rc *config.Report, tc *config.Target) (report, error) {
	loc := tc.Location
	if rc.Location != nil {
		loc = rc.Location
	}

	switch rc.Type {
	case config.TypeUserActivity:
		return &userActivityReport{reportName: name, config: rc, location: loc}, nil
	case config.TypeSystem:
		return &systemReport{reportName: name}, nil
	case config.TypeQueueService:
		return &queueServiceReport{reportName: name, config: rc, location: loc}, nil
	case config.TypeQueueLive:
		return &queueLiveReport{reportName: name, config: rc}, nil
	case config.TypeExtensionStatistics:
		return &extensionStatisticsReport{reportName: name, config: rc, location: loc}, nil
	case config.TypeQueueAgents:
		return &queueAgentsReport{reportName: name, config: rc, location: loc}, nil
	case config.TypeStatus:
		return &statusReport{reportName: name, config: rc}, nil
	}
	return nil, fmt.Errorf("report %q: unknown report type %q", name, rc.Type)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
