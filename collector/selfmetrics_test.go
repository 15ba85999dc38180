package collector_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func TestSelfMetricsForgetTarget(t *testing.T) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Now = func() time.Time { return scrapeTime }
	server := httptest.NewServer(fake)
	defer server.Close()

	cfg, err := config.Parse(fmt.Appendf(nil, userActivityConfig, server.URL, threecxtest.DefaultClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	metrics := collector.NewMetrics()
	target, err := collector.NewTarget("office", cfg, collector.Options{Metrics: metrics, Now: fake.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()

	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(target.Collector(t.Context()))
	if _, err := registry.Gather(); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(metrics, "threecx_api_requests_total"); n == 0 {
		t.Fatal("the scrape counted no request")
	}

	metrics.Forget("office")
	for _, name := range []string{"threecx_api_requests_total", "threecx_api_request_duration_seconds", "threecx_token_requests_total"} {
		if n := testutil.CollectAndCount(metrics, name); n != 0 {
			t.Errorf("%s has %d series after Forget, want 0", name, n)
		}
	}
}
