package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const e2eSecret = "e2e-secret-value"

const e2eConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + e2eSecret + `
    time_zone: Europe/Berlin
reports:
  activity:
    type: user_activity
    window: today
    groups: [GRP0001]
    extensions: ["101"]
`

// parseExposition parses the text format into series written as in the exposition, with
// labels sorted by name, and their values.
func parseExposition(t *testing.T, body string) map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}

	series := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.GetGauge() != nil:
				series[key] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				series[key] = m.GetCounter().GetValue()
			default:
				series[key] = 0
			}
		}
	}
	return series
}

var periodPattern = regexp.MustCompile(`periodFrom=([^,]+),periodTo=([^,]+),groupNumber=([^,]*),extensionDns=([^,]*),`)

// expectedActivity computes, from the fake's call log, the answered and unanswered calls of
// each User Activity request the fake received, keyed by group and extension.
func expectedActivity(t *testing.T, fake *threecxtest.Server, now time.Time) map[[2]string][2]int {
	t.Helper()
	want := map[[2]string][2]int{}
	for _, r := range fake.Requests() {
		m := periodPattern.FindStringSubmatch(r.Path)
		if m == nil {
			continue
		}
		from, err := time.Parse(time.RFC3339, m[1])
		if err != nil {
			t.Fatal(err)
		}
		to, err := time.Parse(time.RFC3339, m[2])
		if err != nil {
			t.Fatal(err)
		}
		group, _ := url.PathUnescape(strings.Trim(m[3], "'"))
		extension, _ := url.PathUnescape(strings.Trim(m[4], "'"))

		var numbers []string
		for _, e := range fake.Directory.Extensions {
			if e.Number == extension || group != "" && slices.Contains(e.Groups, group) {
				numbers = append(numbers, e.Number)
			}
		}
		if now.Before(to) {
			to = now
		}
		var counts [2]int
		for _, c := range fake.Log.Calls(numbers, from, to) {
			if c.Queue != "" {
				continue // include_queue_calls is false
			}
			if c.Answered {
				counts[0]++
			} else {
				counts[1]++
			}
		}
		want[[2]string{group, extension}] = counts
	}
	return want
}

// startFakePBX starts a fake PBX that accepts e2eSecret and returns it with its URL and
// the time its clock stands at.
func startFakePBX(t *testing.T) (*threecxtest.Server, string, time.Time) {
	t.Helper()
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	// The fake's clock stands still, so that no call happens between the scrape and the
	// computation of the expected values.
	now := time.Now()
	fake.Now = func() time.Time { return now }
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	fake.SetCredentials(threecxtest.DefaultClientID, e2eSecret)
	return fake, server.URL, now
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "exporter.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBinaryServesUserActivity(t *testing.T) {
	fake, pbxURL, now := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL)))

	for _, path := range []string{"/metrics", "/probe?target=office"} {
		t.Run(path, func(t *testing.T) {
			status, body := httpGet(t, exporter.url(path))
			if status != http.StatusOK {
				t.Fatalf("status = %d:\n%s", status, body)
			}
			series := parseExposition(t, body)

			for _, name := range []string{"threecx_up", `threecx_report_success{report="activity"}`} {
				if series[name] != 1 {
					t.Errorf("%s = %v, want 1", name, series[name])
				}
			}

			want := expectedActivity(t, fake, now)
			if len(want) != 2 {
				t.Fatalf("the fake saw %d distinct User Activity requests, want 2", len(want))
			}
			for key, counts := range want {
				for i, result := range []string{"answered", "unanswered"} {
					name := fmt.Sprintf(`threecx_user_activity_calls{extension=%q,group=%q,report="activity",result=%q}`, key[1], key[0], result)
					got, ok := series[name]
					if !ok {
						t.Errorf("%s is missing", name)
						continue
					}
					if got != float64(counts[i]) {
						t.Errorf("%s = %v, want %d", name, got, counts[i])
					}
				}
			}

			// On /metrics the request counters already count the requests of this scrape,
			// the first one included.
			if path == "/metrics" {
				requests := 0.0
				for name, v := range series {
					if strings.HasPrefix(name, "threecx_api_requests_total{") && strings.Contains(name, `target="office"`) {
						requests += v
					}
				}
				if want := float64(len(fake.Requests())); requests != want {
					t.Errorf("threecx_api_requests_total sums to %v, want the %v requests the fake received", requests, want)
				}
			}

			_, hasGo := series["go_goroutines"]
			if wantGo := path == "/metrics"; hasGo != wantGo {
				t.Errorf("go_goroutines present: %v, want %v", hasGo, wantGo)
			}
		})
	}

	if status, _ := httpGet(t, exporter.url("/probe?target=elsewhere")); status != http.StatusBadRequest {
		t.Errorf("/probe for an unknown target: status %d, want 400", status)
	}
	if strings.Contains(exporter.logs.String(), e2eSecret) {
		t.Errorf("the log contains the client secret:\n%s", exporter.logs)
	}
}

func TestBinaryWindowStartsAtLocalMidnight(t *testing.T) {
	fake, pbxURL, _ := startFakePBX(t)
	exporter := startExporter(t, "--config.file="+writeConfig(t, fmt.Sprintf(e2eConfig, pbxURL)))

	before := time.Now()
	if status, body := httpGet(t, exporter.url("/probe?target=office")); status != http.StatusOK {
		t.Fatalf("status = %d:\n%s", status, body)
	}
	after := time.Now()

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	requests := fake.Requests()
	if len(requests) == 0 {
		t.Fatal("the fake received no request")
	}
	for _, r := range requests {
		m := periodPattern.FindStringSubmatch(r.Path)
		if m == nil {
			t.Fatalf("request without a period: %s", r.Path)
		}
		from, _ := time.Parse(time.RFC3339, m[1])
		to, _ := time.Parse(time.RFC3339, m[2])

		local := to.In(berlin)
		midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin)
		if !from.Equal(midnight) {
			t.Errorf("periodFrom = %s, want local midnight %s", from, midnight.UTC())
		}
		if to.Before(before.Truncate(time.Second)) || to.After(after) {
			t.Errorf("periodTo = %s, want the scrape time between %s and %s", to, before, after)
		}
	}
}

func TestBinaryDemo(t *testing.T) {
	exporter := startExporter(t, "--demo")

	status, body := httpGet(t, exporter.url("/metrics"))
	if status != http.StatusOK {
		t.Fatalf("status = %d:\n%s", status, body)
	}
	series := parseExposition(t, body)
	if series["threecx_up"] != 1 {
		t.Errorf("threecx_up = %v, want 1", series["threecx_up"])
	}
	var reports, failed []string
	for name, v := range series {
		if strings.HasPrefix(name, "threecx_report_success{") {
			reports = append(reports, name)
			if v != 1 {
				failed = append(failed, name)
			}
		}
	}
	if len(reports) == 0 {
		t.Error("the demo serves no report")
	}
	if len(failed) > 0 {
		t.Errorf("demo reports failed: %v\nlogs:\n%s", failed, exporter.logs)
	}

	status, body = httpGet(t, exporter.url("/"))
	if status != http.StatusOK || !strings.Contains(body, "/probe?target=demo") {
		t.Errorf("landing page: status %d, want 200 and a link to the demo target:\n%s", status, body)
	}
	if strings.Contains(body, "/debug/pprof") {
		t.Error("landing page links /debug/pprof, which the exporter does not serve")
	}
}
