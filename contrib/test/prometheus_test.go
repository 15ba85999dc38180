package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/threecx-exporter/threecx_exporter/internal/demo"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// requireEnv makes the end-to-end test fail instead of skipping when prometheus or promtool
// is missing. CI sets it.
const requireEnv = "THREECX_E2E_REQUIRE_PROMETHEUS"

const (
	// waitTimeout bounds every wait on Prometheus.
	waitTimeout = 90 * time.Second
	// idleFor replaces the idle agent alert's for: in the rules Prometheus loads.
	idleFor = "2s"
	// exampleConfigPath is the example Prometheus config the README points to.
	exampleConfigPath = "../prometheus/prometheus.yml"
	// singleTarget is the target label the scrape of /metrics sets.
	singleTarget = "demo-metrics"
)

// TestPrometheusEndToEnd builds the exporter, runs it with --demo, and runs a real
// Prometheus with the shipped rules that scrapes it both through /probe and through
// /metrics. It then requires data for every dashboard query and recording rule, no series
// of rolling-window reports in the increase rules, and the idle agent alert for the agent
// the demo keeps idle.
func TestPrometheusEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the end-to-end test in short mode")
	}
	prometheus, promtool := lookTools(t)

	dir := t.TempDir()
	exporter := startExporter(t, buildExporter(t, dir))

	t.Run("promtool check metrics", func(t *testing.T) {
		for _, path := range []string{"/metrics", "/probe?target=" + demo.TargetName} {
			checkMetrics(t, promtool, "http://"+exporter+path)
		}
	})

	t.Run("promtool check config", func(t *testing.T) {
		checkScrapeExamples(t, promtool, dir)
	})

	api := startPrometheus(t, prometheus, dir, exporter)
	start := time.Now()
	waitForQueries(t, api, map[string]string{
		"probe scrape":   fmt.Sprintf(`up{job="threecx", target=%q} == 1`, demo.TargetName),
		"metrics scrape": fmt.Sprintf(`threecx_up{job="threecx_metrics", target=%q} == 1`, singleTarget),
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("dashboard queries", func(t *testing.T) {
		queries := map[string]string{}
		for _, p := range loadDashboard(t).graphPanels() {
			for _, q := range p.Targets {
				queries[p.Title+"/"+q.RefID] = strings.ReplaceAll(q.Expr, "$target", demo.TargetName)
			}
		}
		waitForQueries(t, api, queries)
	})

	t.Run("recording rules", func(t *testing.T) {
		queries := map[string]string{}
		for _, r := range loadRules(t).rules() {
			if r.Record != "" && callRatios[r.Record] == "" {
				queries[r.Record] = r.Record
			}
		}
		waitForQueries(t, api, queries)
	})

	t.Run("rolling windows left out of increase rules", func(t *testing.T) {
		checkRollingWindowsLeftOut(t, api)
	})

	t.Run("call ratios", func(t *testing.T) {
		for ratio, calls := range callRatios {
			if len(queryOnce(t, api, calls)) == 0 {
				t.Logf("%s has no data to check: no call while Prometheus ran", ratio)
				continue
			}
			waitForQueries(t, api, map[string]string{ratio: ratio})
		}
	})

	t.Run("idle agent alert", func(t *testing.T) {
		checkIdleAgentAlert(t, api, start)
	})

	t.Run("extension panels count each extension once", func(t *testing.T) {
		checkExtensionPanels(t, api)
	})

	t.Run("healthy demo alerts quiet", func(t *testing.T) {
		for _, alert := range []string{"ThreecxExporterDown", "ThreecxPBXDown", "ThreecxReportFailing",
			"ThreecxExporterConfigReloadFailed"} {
			if got := queryOnce(t, api, fmt.Sprintf(`ALERTS{alertname=%q}`, alert)); len(got) > 0 {
				t.Errorf("%s is active for the healthy demo: %v", alert, got)
			}
		}
	})

	t.Run("demo dates keep alerts quiet", func(t *testing.T) {
		checkDemoDateAlerts(t, api)
	})
}

// checkScrapeExamples runs promtool check config on the example config and on each scrape
// example of the README, written to a file in dir.
func checkScrapeExamples(t *testing.T, promtool, dir string) {
	t.Helper()
	paths := map[string]string{exampleConfigPath: exampleConfigPath}
	i := 0
	for name, text := range scrapeExamples(t) {
		if name == exampleConfigPath {
			continue
		}
		i++
		path := filepath.Join(dir, fmt.Sprintf("readme-example-%d.yml", i))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = path
	}

	for name, path := range paths {
		out, err := exec.Command(promtool, "check", "config", path).CombinedOutput()
		if err != nil {
			t.Errorf("promtool check config on %s: %v\n%s", name, err, out)
		}
	}
}

// extensionStatisticsSelector matches the selectors of the Extension Statistics metrics,
// which have a row for an extension in each group of a report that it is in.
var extensionStatisticsSelector = regexp.MustCompile(`\b(threecx_extension_(?:calls|talk_seconds))\{`)

// checkExtensionPanels requires every dashboard query on the Extension Statistics metrics
// to return, at one instant, what it returns when those metrics are restricted to the
// default group, which holds every extension once. The demo's talk_today report also
// fetches GRP0001, so a query that sums over groups counts 101 to 103 twice.
func checkExtensionPanels(t *testing.T, api string) {
	t.Helper()
	twice := fmt.Sprintf(`count by (extension) (threecx_extension_calls{target=%q, report="talk_today", direction="inbound", result="answered"}) > 1`,
		demo.TargetName)
	waitForQueries(t, api, map[string]string{"extensions in two groups of talk_today": twice})
	if t.Failed() {
		t.FailNow()
	}

	at := time.Now().Add(-2 * time.Second)
	checked := 0
	for _, p := range loadDashboard(t).graphPanels() {
		for _, q := range p.Targets {
			if !extensionStatisticsSelector.MatchString(q.Expr) {
				continue
			}
			checked++
			expr := strings.ReplaceAll(q.Expr, "$target", demo.TargetName)
			defaultGroup := extensionStatisticsSelector.ReplaceAllString(expr,
				fmt.Sprintf(`${1}{group=%q, `, threecxtest.DefaultGroup))
			got, want := queryAt(t, api, expr, at), queryAt(t, api, defaultGroup, at)
			if len(want) == 0 {
				t.Errorf("panel %q query %s: %q returned no data", p.Title, q.RefID, defaultGroup)
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("panel %q query %s differs from its result for group %s alone:\ngot  %v\nwant %v",
					p.Title, q.RefID, threecxtest.DefaultGroup, got, want)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no dashboard query reads threecx_extension_calls or threecx_extension_talk_seconds")
	}
}

// queryAt runs expr at the instant at and returns its samples as sorted "labels value"
// lines.
func queryAt(t *testing.T, api, expr string, at time.Time) []string {
	t.Helper()
	result, err := instantQueryAt(api, expr, at)
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, 0, len(result))
	for _, s := range result {
		lines = append(lines, fmt.Sprintf("%v %v", s.Metric, s.Value[1]))
	}
	slices.Sort(lines)
	return lines
}

// checkDemoDateAlerts requires the conditions of the backup, licence and maintenance
// alerts to be false for the demo, whose fake PBX dates them from its clock. The alerts
// wait an hour before they fire, so the test evaluates their expressions.
func checkDemoDateAlerts(t *testing.T, api string) {
	t.Helper()
	metrics := map[string]string{
		"ThreecxBackupMissing":       "threecx_backup_last_timestamp_seconds",
		"ThreecxLicenseExpiring":     "threecx_license_expiry_timestamp_seconds",
		"ThreecxMaintenanceExpiring": "threecx_maintenance_expiry_timestamp_seconds",
	}
	queries := map[string]string{}
	for _, metric := range metrics {
		queries[metric] = fmt.Sprintf(`%s{target=%q}`, metric, demo.TargetName)
	}
	waitForQueries(t, api, queries)

	found := 0
	for _, r := range loadRules(t).rules() {
		if metrics[r.Alert] == "" {
			continue
		}
		found++
		if got := queryOnce(t, api, r.Expr); len(got) > 0 {
			t.Errorf("the condition of %s holds for the demo: %v", r.Alert, got)
		}
	}
	if found != len(metrics) {
		t.Errorf("%s has %d of the alerts %v", rulesPath, found, slices.Sorted(maps.Keys(metrics)))
	}
}

// callRatios are the recording rules that exist only once a call happened while
// Prometheus ran, with the query that shows whether one did. The demo's groups get a call
// every few minutes, so the test checks them only when there was one.
var callRatios = map[string]string{
	"group:threecx_user_activity_unanswered:ratio1h": "group:threecx_user_activity_calls:sum_increase1h > 0",
}

// checkRollingWindowsLeftOut requires call series of the demo's rolling-window reports in
// Prometheus, and no series of those reports in the recording rules whose names contain
// "increase". It runs after every recording rule has data, so the rules have been
// evaluated on samples of those reports.
func checkRollingWindowsLeftOut(t *testing.T, api string) {
	const rolling = `on (target, report) threecx_report_info{window!="today", window!=""}`
	waitForQueries(t, api, map[string]string{
		"rolling-window User Activity calls": `threecx_user_activity_calls and ` + rolling,
		"rolling-window queue agent calls":   `threecx_queue_agent_calls and ` + rolling,
		"today-window increase rules":        `{__name__=~".+:.+:.*increase.*"} unless ` + rolling,
	})
	if t.Failed() {
		t.FailNow()
	}

	if got := queryOnce(t, api, `{__name__=~".+:.+:.*increase.*"} and `+rolling); len(got) > 0 {
		t.Errorf("increase rules have series of rolling-window reports: %v", got)
	}
}

// checkIdleAgentAlert requires the idle agent alert for every agent the demo keeps
// registered and logged in without calls, and no alert for an agent who is logged out,
// not registered, or answered a call while Prometheus watched.
func checkIdleAgentAlert(t *testing.T, api string, start time.Time) {
	directory := threecxtest.DemoDirectory()
	log := threecxtest.CallLog{Directory: &directory}
	firing := func(extension string) string {
		return fmt.Sprintf(`ALERTS{alertname="ThreecxQueueAgentIdle", alertstate="firing", job="threecx", target=%q, extension=%q}`,
			demo.TargetName, extension)
	}

	idle := map[string]string{}
	now := time.Now()
	for _, e := range directory.Extensions {
		if e.Registered && e.QueueLoggedIn && len(log.Calls([]string{e.Number}, now.Add(-24*time.Hour), now)) == 0 {
			idle[e.Number] = firing(e.Number)
		}
	}
	if len(idle) == 0 {
		t.Fatal("the demo directory has no registered, logged-in agent without calls in the last 24 hours")
	}
	waitForQueries(t, api, idle)

	// A call answered before Prometheus' first scrape is already in the first sample of the
	// today gauge, so no increase shows it, and one answered around that scrape may or may
	// not be. Only calls answered later must keep an agent's alert quiet.
	first := firstScrape(t, api)
	uncertainUntil := first.Add(2 * time.Second)

	// A call counts once a scrape after its start, the recording rule and then the alert
	// have been evaluated, each within 1 s.
	settled := time.Now().Add(-5 * time.Second)
	for _, e := range directory.Extensions {
		answered, uncertain := false, false
		for _, c := range log.Calls([]string{e.Number}, start, settled) {
			if !c.Answered {
				continue
			}
			if c.Start.Before(uncertainUntil) {
				uncertain = true
			} else {
				answered = true
			}
		}
		if e.Registered && e.QueueLoggedIn && !answered {
			if uncertain {
				t.Logf("extension %s answered a call around the first scrape at %s; its alert is not checked",
					e.Number, first.Format(time.TimeOnly))
			}
			continue
		}
		if got := queryOnce(t, api, firing(e.Number)); len(got) > 0 {
			t.Errorf("the idle agent alert fires for extension %s (registered %t, logged in %t, answered a call since %s: %t)",
				e.Number, e.Registered, e.QueueLoggedIn, start.Format(time.TimeOnly), answered)
		}
	}
}

// firstScrape returns the time of Prometheus' first sample of the demo target.
func firstScrape(t *testing.T, api string) time.Time {
	t.Helper()
	expr := fmt.Sprintf(`min_over_time(timestamp(threecx_up{job="threecx",target=%q})[1h:1s])`, demo.TargetName)
	result := queryOnce(t, api, expr)
	if len(result) != 1 || len(result[0].Value) != 2 {
		t.Fatalf("%s returned %v, want one sample", expr, result)
	}
	text, _ := result[0].Value[1].(string)
	seconds, err := strconv.ParseFloat(text, 64)
	if err != nil {
		t.Fatalf("%s returned %q, want a Unix time: %v", expr, text, err)
	}
	return time.UnixMilli(int64(seconds * 1000))
}

// lookTools returns the paths of prometheus and promtool, or skips the test when one is
// missing and requireEnv is not set.
func lookTools(t *testing.T) (prometheus, promtool string) {
	t.Helper()
	var missing []string
	paths := map[string]string{}
	for _, name := range []string{"prometheus", "promtool"} {
		path, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
			continue
		}
		paths[name] = path
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("%s not found in PATH; install Debian's prometheus package", strings.Join(missing, " and "))
		if os.Getenv(requireEnv) != "" {
			t.Fatalf("%s (%s is set)", msg, requireEnv)
		}
		t.Skipf("skipping: %s, or set %s to make this a failure", msg, requireEnv)
	}
	return paths["prometheus"], paths["promtool"]
}

// buildExporter builds the exporter's binary into dir.
func buildExporter(t *testing.T, dir string) string {
	t.Helper()
	binary := filepath.Join(dir, "threecx_exporter")
	cmd := exec.Command("go", "build", "-o", binary, ".")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

// startExporter runs the exporter with --demo on a free loopback port and returns its
// address once it serves /metrics.
func startExporter(t *testing.T, binary string) string {
	t.Helper()
	address := freeAddress(t)
	startProcess(t, "exporter", binary, "--demo", "--web.listen-address="+address)
	waitForHTTP(t, "http://"+address+"/metrics")
	return address
}

// startPrometheus runs prometheus on a free loopback port with a config that scrapes
// exporter every second and the shipped rules, the idle agent alert's for: shortened to
// idleFor. It returns the server's base URL once Prometheus is ready.
func startPrometheus(t *testing.T, binary, dir, exporter string) string {
	t.Helper()
	rules := filepath.Join(dir, "threecx.rules.yml")
	writeRules(t, rules)

	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte(prometheusConfig(exporter, rules)), 0o600); err != nil {
		t.Fatal(err)
	}

	address := freeAddress(t)
	startProcess(t, "prometheus", binary,
		"--config.file="+config,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+address,
		"--log.level=warn",
	)
	base := "http://" + address
	waitForHTTP(t, base+"/-/ready")
	return base
}

// prometheusConfig returns a config with the two scrape configs the README documents:
// /probe with the target name relabeled into the target parameter, and /metrics of a
// single-target exporter with a static target label.
func prometheusConfig(exporter, rules string) string {
	return fmt.Sprintf(`
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: threecx
    metrics_path: /probe
    static_configs:
      - targets: [%q]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: %q
  - job_name: threecx_metrics
    honor_labels: true
    static_configs:
      - targets: [%q]
        labels:
          target: %q
`, rules, demo.TargetName, exporter, exporter, singleTarget)
}

// writeRules writes the shipped rules to path with the idle agent alert's for: set to
// idleFor, so that the alert fires within the test.
func writeRules(t *testing.T, path string) {
	t.Helper()
	f := loadRules(t)
	found := false
	for _, g := range f.Groups {
		for i := range g.Rules {
			if g.Rules[i].Alert == "ThreecxQueueAgentIdle" {
				g.Rules[i].For = idleFor
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("%s has no ThreecxQueueAgentIdle alert", rulesPath)
	}

	data, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startProcess starts a command whose output goes to the test log when the test fails,
// and stops it when the test ends.
func startProcess(t *testing.T, name, binary string, args ...string) {
	t.Helper()
	var output bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("output of %s:\n%s", name, output.String())
		}
	})
}

// freeAddress returns a loopback address with a port that was free a moment ago.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitForHTTP polls url until it answers 200 or waitTimeout passes.
func waitForHTTP(t *testing.T, url string) {
	t.Helper()
	var lastErr error
	ok := poll(func() bool {
		resp, err := http.Get(url)
		if err != nil {
			lastErr = err
			return false
		}
		resp.Body.Close()
		lastErr = fmt.Errorf("status %s", resp.Status)
		return resp.StatusCode == http.StatusOK
	})
	if !ok {
		t.Fatalf("%s did not answer 200 within %s: %v", url, waitTimeout, lastErr)
	}
}

// checkMetrics runs promtool check metrics on the body of url and requires no finding.
func checkMetrics(t *testing.T, promtool, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics on %s: %v\n%s", url, err, out)
	}
}

// waitForQueries polls Prometheus until every query of queries, keyed by a name for the
// failure message, has returned at least one sample, and reports those that returned none
// within waitTimeout.
func waitForQueries(t *testing.T, api string, queries map[string]string) {
	t.Helper()
	pending := maps.Clone(queries)
	lastErr := map[string]error{}
	poll(func() bool {
		for name, expr := range pending {
			result, err := instantQuery(api, expr)
			lastErr[name] = err
			if err == nil && len(result) > 0 {
				delete(pending, name)
			}
		}
		return len(pending) == 0
	})

	for _, name := range slices.Sorted(maps.Keys(pending)) {
		t.Errorf("%s: query %q returned no data within %s (last error: %v)", name, pending[name], waitTimeout, lastErr[name])
	}
}

// queryOnce runs expr once and returns its samples.
func queryOnce(t *testing.T, api, expr string) []sample {
	t.Helper()
	result, err := instantQuery(api, expr)
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// sample is one element of an instant vector.
type sample struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
}

// instantQuery runs expr through Prometheus' HTTP API at the current time. A scalar
// result counts as one sample.
func instantQuery(api, expr string) ([]sample, error) {
	return instantQueryAt(api, expr, time.Time{})
}

// instantQueryAt runs expr at the instant at, or at the current time when at is zero.
func instantQueryAt(api, expr string, at time.Time) ([]sample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	params := url.Values{"query": {expr}}
	if !at.IsZero() {
		params.Set("time", fmt.Sprintf("%.3f", float64(at.UnixMilli())/1000))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/v1/query?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	var payload struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&payload); err != nil {
		return nil, fmt.Errorf("query %q: decode the response: %w", expr, err)
	}
	if payload.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, payload.Error)
	}
	if payload.Data.ResultType == "scalar" {
		return []sample{{}}, nil
	}

	var result []sample
	if err := json.Unmarshal(payload.Data.Result, &result); err != nil {
		return nil, fmt.Errorf("query %q: decode the %s result: %w", expr, payload.Data.ResultType, err)
	}
	return result, nil
}

// poll calls cond every 200 ms until it returns true or waitTimeout passes.
func poll(cond func() bool) bool {
	deadline := time.Now().Add(waitTimeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
