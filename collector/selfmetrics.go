package collector

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the exporter's own metrics on the load it puts on each PBX. They belong on
// /metrics, never in a /probe answer. The zero value is not usable: call NewMetrics.
type Metrics struct {
	apiRequests   *prometheus.CounterVec
	apiDuration   *prometheus.HistogramVec
	tokenRequests *prometheus.CounterVec
}

// NewMetrics returns unregistered self-metrics. Register them with the registry that
// /metrics serves.
func NewMetrics() *Metrics {
	return &Metrics{
		apiRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threecx_api_requests_total",
			Help: "XAPI requests sent to the PBX, retries included, by endpoint (function or entity set)" +
				" and HTTP status code; code is \"error\" when no response arrived.",
		}, []string{"target", "endpoint", "code"}),
		apiDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "threecx_api_request_duration_seconds",
			Help:    "Time from sending an XAPI request to reading the end of its response body, in seconds.",
			Buckets: []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"target", "endpoint"}),
		tokenRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "threecx_token_requests_total",
			Help: "Access token requests sent to the PBX, by result (success or failure).",
		}, []string{"target", "result"}),
	}
}

// Describe sends the descriptions of the self-metrics.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.apiRequests.Describe(ch)
	m.apiDuration.Describe(ch)
	m.tokenRequests.Describe(ch)
}

// Collect sends the self-metrics.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.apiRequests.Collect(ch)
	m.apiDuration.Collect(ch)
	m.tokenRequests.Collect(ch)
}

// Forget deletes the series of a target, for a target that a reload removed. A nil m does
// nothing.
// NOTE: a scrape of the removed target that is still running when Forget is called may
// count one more request, which brings that series back until the next restart.
func (m *Metrics) Forget(target string) {
	if m == nil {
		return
	}
	labels := prometheus.Labels{"target": target}
	m.apiRequests.DeletePartialMatch(labels)
	m.apiDuration.DeletePartialMatch(labels)
	m.tokenRequests.DeletePartialMatch(labels)
}

// hooks returns the client callbacks that count the requests of one target. A nil m gives
// nil callbacks.
func (m *Metrics) hooks(target string) (onRequest func(string, int, time.Duration), onTokenFetch func(error)) {
	if m == nil {
		return nil, nil
	}

	// Both results exist from the start, so that a rate of failures works before the first.
	success := m.tokenRequests.WithLabelValues(target, "success")
	failure := m.tokenRequests.WithLabelValues(target, "failure")
	onTokenFetch = func(err error) {
		if err != nil {
			failure.Inc()
			return
		}
		success.Inc()
	}

	onRequest = func(endpoint string, status int, elapsed time.Duration) {
		code := "error"
		if status != 0 {
			code = strconv.Itoa(status)
		}
		m.apiRequests.WithLabelValues(target, endpoint, code).Inc()
		m.apiDuration.WithLabelValues(target, endpoint).Observe(elapsed.Seconds())
	}
	return onRequest, onTokenFetch
}
