package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const systemOnlyConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
reports:
  system:
    type: system
`

// TestProbeLogsGatherErrors checks that a series the gatherers reject, here a trunk
// series that a second gatherer sends as well, is logged with the target instead of
// vanishing silently.
func TestProbeLogsGatherErrors(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	duplicate := dir.Trunks[0]
	fake := threecxtest.NewServer(dir)
	fake.Now = func() time.Time { return scrapeTime }
	pbx := httptest.NewServer(fake)
	t.Cleanup(pbx.Close)

	cfg, err := config.Parse(fmt.Appendf(nil, systemOnlyConfig, pbx.URL))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	targets, err := collector.NewTargets(cfg, collector.Options{Logger: logger, Now: func() time.Time { return scrapeTime }})
	if err != nil {
		t.Fatal(err)
	}
	h := collector.NewHandler(logger, collector.DefaultTimeoutOffset)
	h.SetTargets(targets)
	// A second registry with the same target makes /metrics gather every series twice.
	extra := prometheus.NewRegistry()
	extra.MustRegister(targets["office"].Collector(context.Background()))
	exporter := httptest.NewServer(h.Metrics(extra))
	t.Cleanup(exporter.Close)

	status, body := get(t, exporter.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200", status)
	}
	want := fmt.Sprintf(`threecx_trunk_online{report="system",trunk=%q}`, duplicate.Number)
	if n := strings.Count(body, want); n != 1 {
		t.Errorf("%s appears %d times, want once", want, n)
	}
	line := logLine(logs.String(), "collected before")
	if line == "" {
		t.Fatalf("no log line names the duplicate series; log:\n%s", logs)
	}
	if !strings.Contains(line, "level=ERROR") {
		t.Errorf("the line %q is not an error", line)
	}
	if !strings.Contains(line, "target=office") {
		t.Errorf("the line %q does not name the target", line)
	}
}
