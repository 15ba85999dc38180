package collector

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	upDesc = prometheus.NewDesc(
		"threecx_up",
		"1 when a token was obtained and the PBX's API answered at least one request of the fetches"+
			" this scrape serves, 0 otherwise. A report served from the cache (min_interval) counts with"+
			" the fetch that produced its data.",
		nil, nil)
	reportSuccessDesc = prometheus.NewDesc(
		"threecx_report_success",
		"1 when every request of the report worked in this scrape, 0 otherwise.",
		[]string{"report"}, nil)
	reportDurationDesc = prometheus.NewDesc(
		"threecx_report_duration_seconds",
		"Time this scrape waited for the report's requests, in seconds; 0 when the report was served from the cache.",
		[]string{"report"}, nil)
	reportAgeDesc = prometheus.NewDesc(
		"threecx_report_age_seconds",
		"Seconds from the scrape time of the fetch whose data this scrape serves to this scrape."+
			" It is above 0 when the data comes from the cache (min_interval) or from a fetch that another scrape started.",
		[]string{"report"}, nil)
)

// Collector returns a collector that scrapes the target once per Collect call. Its requests
// end when ctx ends. It describes no metrics up front, because which series exist depends
// on what the PBX answers, so register it with a registry made for the one scrape.
func (t *Target) Collector(ctx context.Context) prometheus.Collector {
	return &targetCollector{ctx: ctx, target: t}
}

type targetCollector struct {
	ctx    context.Context
	target *Target
}

// Describe sends nothing, which makes the collector unchecked.
func (c *targetCollector) Describe(chan<- *prometheus.Desc) {}

type reportResult struct {
	data     *reportData
	err      error
	duration time.Duration
	// answered is set when the API answered a request of the fetch with a valid token.
	answered bool
	// served is set when the result comes from a fetch that finished, and age is then the
	// time since that fetch's scrape time.
	served bool
	age    time.Duration
}

// Collect fetches every report of the target concurrently and sends the metrics of those
// that worked, with threecx_up and each report's success and duration.
func (c *targetCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.target
	now := t.now()

	// Each wait ends by the scrape's deadline, even when a fetch shared with another scrape
	// goes on.
	results := make([]reportResult, len(t.reports))
	var wg sync.WaitGroup
	for i, state := range t.states {
		wg.Go(func() {
			results[i] = state.get(c.ctx, t, now)
		})
	}
	wg.Wait()

	c.logFailures(results)

	answered := false
	for i, r := range t.reports {
		result := results[i]
		for _, m := range result.data.metrics {
			ch <- m
		}
		ch <- t.infos[i]
		ch <- prometheus.MustNewConstMetric(reportSuccessDesc, prometheus.GaugeValue, boolValue(result.err == nil), r.name())
		ch <- prometheus.MustNewConstMetric(reportDurationDesc, prometheus.GaugeValue, result.duration.Seconds(), r.name())
		// A fetch that failed whole serves no data, so there is no age to report.
		if result.served && (result.err == nil || len(result.data.metrics) > 0) {
			ch <- prometheus.MustNewConstMetric(reportAgeDesc, prometheus.GaugeValue, result.age.Seconds(), r.name())
		}
		// A report served from the cache counts with the fetch that produced its data.
		answered = answered || result.answered
	}
	ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, boolValue(answered))
	collectInfo(ch, results)
}

var infoDescs = map[string]*prometheus.Desc{
	"extension": prometheus.NewDesc("threecx_extension_info",
		"Display name of an extension, always 1. Join on extension to label other series.",
		[]string{"extension", "name"}, nil),
	"queue": prometheus.NewDesc("threecx_queue_info",
		"Display name of a queue, always 1. Join on queue to label other series.",
		[]string{"queue", "name"}, nil),
	"trunk": prometheus.NewDesc("threecx_trunk_info",
		"Name of a trunk (its gateway's name), always 1. Join on trunk to label other series.",
		[]string{"trunk", "name"}, nil),
	"service": prometheus.NewDesc("threecx_service_info",
		"Display name of a PBX service, always 1. Join on service to label other series.",
		[]string{"service", "name"}, nil),
	"sbc": prometheus.NewDesc("threecx_sbc_info",
		"Display name of a Session Border Controller, always 1. Join on sbc to label other series.",
		[]string{"sbc", "name"}, nil),
}

// collectInfo sends one info series per number of each kind (extension, queue, trunk,
// service, SBC) that any report named. When two reports disagree on a name, the report
// later in the target's reports list wins, so a number never gets two series.
func collectInfo(ch chan<- prometheus.Metric, results []reportResult) {
	merged := map[string]map[string]string{}
	for _, result := range results {
		for kind, names := range result.data.names {
			if merged[kind] == nil {
				merged[kind] = map[string]string{}
			}
			for number, name := range names {
				merged[kind][number] = name
			}
		}
	}

	for kind, names := range merged {
		desc, ok := infoDescs[kind]
		if !ok {
			continue
		}
		for number, name := range names {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, 1, number, strings.ToValidUTF8(name, "\uFFFD"))
		}
	}
}

// logFailures logs each failed report once. When every report failed for one cause, the
// PBX rejecting the credentials or no token to be had, it logs that cause once instead.
func (c *targetCollector) logFailures(results []reportResult) {
	names, cause := commonCause(results, c.target.reports)

	logger := c.target.logger
	switch {
	case cause != nil && threecx.IsAuthError(cause):
		logger.Error("the PBX rejected the exporter's credentials; check client_id and the client secret",
			"reports", names, "err", cause)
		return
	case cause != nil:
		logger.Error("token request failed; check url and that the PBX is reachable",
			"reports", names, "err", cause)
		return
	}

	for i, r := range c.target.reports {
		if err := results[i].err; err != nil {
			logger.Error("report failed", "report", r.name(), "err", err)
		}
	}
}

// commonCause returns the reports' names and the token error or 401 of the first report
// when every report failed with one; otherwise nil.
func commonCause(results []reportResult, reports []report) ([]string, error) {
	var cause error
	names := make([]string, 0, len(results))
	for i, result := range results {
		var tokenErr *threecx.TokenError
		var apiErr *threecx.APIError
		var err error
		switch {
		case result.err == nil:
			return nil, nil
		case errors.As(result.err, &tokenErr):
			err = tokenErr
		case errors.As(result.err, &apiErr) && threecx.IsAuthError(apiErr):
			err = apiErr
		default:
			return nil, nil
		}
		if cause == nil {
			cause = err
		}
		// A mix of rejected credentials and an unreachable PBX has no one cause.
		if threecx.IsAuthError(err) != threecx.IsAuthError(cause) {
			return nil, nil
		}
		names = append(names, reports[i].name())
	}
	return names, cause
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
