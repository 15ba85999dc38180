package collector_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const twoTargetsConfig = `
targets:
  office:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
  branch:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
reports:
  today:
    type: user_activity
    groups: [GRP0001]
`

// newHandler serves configYAML, whose %[1]s is the fake PBX's URL, and returns the
// exporter's test server, the fake and the log.
func newHandler(t *testing.T, configYAML string) (*httptest.Server, *threecxtest.Server, *syncBuffer) {
	t.Helper()
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Now = func() time.Time { return scrapeTime }
	pbx := httptest.NewServer(fake)
	t.Cleanup(pbx.Close)

	cfg, err := config.Parse(fmt.Appendf(nil, configYAML, pbx.URL))
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
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", h.Probe)
	mux.Handle("/metrics", h.Metrics(prometheus.NewRegistry()))
	exporter := httptest.NewServer(mux)
	t.Cleanup(exporter.Close)
	return exporter, fake, logs
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestProbeRejectsTargetsNotInConfig(t *testing.T) {
	exporter, fake, logs := newHandler(t, twoTargetsConfig)

	tests := []struct {
		name, query, wantBody string
	}{
		{"missing", "", "the target parameter is missing"},
		{"unknown name", "target=warehouse", `unknown target "warehouse"`},
		{"URL", "target=" + url.QueryEscape("http://127.0.0.1:1/"), `unknown target "http://127.0.0.1:1/"`},
		{"case differs", "target=Office", `unknown target "Office"`},
		{"given twice", "target=office&target=branch", "the target parameter is given 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := get(t, exporter.URL+"/probe?"+tt.query)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", status)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body = %q, want it to contain %q", body, tt.wantBody)
			}
			for _, name := range []string{"office", "branch"} {
				if strings.Contains(body, name) {
					t.Errorf("body %q names the configured target %s", body, name)
				}
			}
		})
	}

	if got := fake.TokenRequests() + len(fake.Requests()); got != 0 {
		t.Errorf("the PBX got %d requests for rejected probes, want 0", got)
	}
	if !strings.Contains(logs.String(), "configured=\"[branch office]\"") {
		t.Errorf("log does not list the configured targets for the operator:\n%s", logs)
	}
}

func TestProbeServesTarget(t *testing.T) {
	exporter, fake, _ := newHandler(t, twoTargetsConfig)

	status, body := get(t, exporter.URL+"/probe?target=branch")
	if status != http.StatusOK {
		t.Fatalf("status = %d, body %s", status, body)
	}
	for _, want := range []string{"threecx_up 1", `threecx_report_success{report="today"} 1`, `threecx_user_activity_calls{extension="",group="GRP0001"`} {
		if !strings.Contains(body, want) {
			t.Errorf("probe body lacks %q:\n%s", want, body)
		}
	}
	if got := len(fake.Requests()); got != 1 {
		t.Errorf("API requests = %d, want 1 for one report with one group", got)
	}
}

func TestMetricsServesSingleTargetOnly(t *testing.T) {
	single := strings.Replace(twoTargetsConfig, "  branch:", "  unused_branch_key_removed:", 1)
	single = single[:strings.Index(single, "  unused_branch_key_removed:")] + single[strings.Index(single, "reports:"):]

	tests := []struct {
		name, config string
		wantUp       bool
	}{
		{"one target", single, true},
		{"two targets", twoTargetsConfig, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exporter, _, _ := newHandler(t, tt.config)
			status, body := get(t, exporter.URL+"/metrics")
			if status != http.StatusOK {
				t.Fatalf("status = %d", status)
			}
			if got := strings.Contains(body, "threecx_up 1"); got != tt.wantUp {
				t.Errorf("/metrics has threecx_up: %v, want %v:\n%s", got, tt.wantUp, body)
			}
		})
	}
}

func TestProbeRejectsInvalidScrapeTimeout(t *testing.T) {
	exporter, fake, _ := newHandler(t, twoTargetsConfig)

	for _, header := range []string{"abc", "-1", "0"} {
		t.Run(header, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, exporter.URL+"/probe?target=office", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()

			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if !strings.Contains(string(body), fmt.Sprintf("%q", header)) {
				t.Errorf("body %q does not name the header value", body)
			}
		})
	}
	if got := len(fake.Requests()); got != 0 {
		t.Errorf("API requests = %d, want 0", got)
	}
}
