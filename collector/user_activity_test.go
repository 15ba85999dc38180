package collector_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// scrapeTime is the fixed clock of these tests: 16:30 in Berlin, so "today" holds calls.
var scrapeTime = time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)

const userActivityConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
    max_concurrency: 2
reports:
  today:
    type: user_activity
    window: today
    groups: [GRP0001, GRP0002]
    extensions: ["101", "105"]
  last_two_hours:
    type: user_activity
    window: 2h
    groups: [GRP0000]
    include_queue_calls: true
    call_area: external
`

// testPBX is a fake PBX with the demo directory and the target that scrapes it.
type testPBX struct {
	fake   *threecxtest.Server
	target *collector.Target
	logs   *syncBuffer
}

func newTestPBX(t *testing.T, configYAML, secret string) *testPBX {
	t.Helper()
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Now = func() time.Time { return scrapeTime }
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)

	cfg, err := config.Parse(fmt.Appendf(nil, configYAML, server.URL, secret))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	target, err := collector.NewTarget("office", cfg, collector.Options{
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return scrapeTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testPBX{fake: fake, target: target, logs: logs}
}

func (p *testPBX) collector() prometheus.Collector {
	return p.target.Collector(context.Background())
}

// syncBuffer is a bytes.Buffer that concurrent scrapes can log to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// members lists the extensions of a group from the directory: every extension is in the
// default group.
func members(d threecxtest.Directory, group string) []string {
	var out []string
	for _, e := range d.Extensions {
		if group == threecxtest.DefaultGroup || slices.Contains(e.Groups, group) {
			out = append(out, e.Number)
		}
	}
	return out
}

// countCalls counts answered and unanswered calls of the extensions in [from, to) that
// pass the report's queue and call-area settings.
func countCalls(log threecxtest.CallLog, numbers []string, from, to time.Time, queueCalls bool, area string) (answered, unanswered int) {
	for _, c := range log.Calls(numbers, from, to) {
		if c.Queue != "" && !queueCalls {
			continue
		}
		if area == "internal" && c.External || area == "external" && !c.External {
			continue
		}
		if c.Answered {
			answered++
		} else {
			unanswered++
		}
	}
	return answered, unanswered
}

func TestUserActivityMetrics(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)
	dir := threecxtest.DemoDirectory()
	log := threecxtest.CallLog{Directory: &dir}

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := scrapeTime.In(berlin)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin)

	type row struct {
		report, group, extension string
		answered, unanswered     int
	}
	var rows []row
	for _, g := range []string{"GRP0001", "GRP0002"} {
		a, u := countCalls(log, members(dir, g), midnight, scrapeTime, false, "all")
		rows = append(rows, row{"today", g, "", a, u})
	}
	for _, e := range []string{"101", "105"} {
		a, u := countCalls(log, []string{e}, midnight, scrapeTime, false, "all")
		rows = append(rows, row{"today", "", e, a, u})
	}
	a, u := countCalls(log, members(dir, "GRP0000"), scrapeTime.Add(-2*time.Hour), scrapeTime, true, "external")
	rows = append(rows, row{"last_two_hours", "GRP0000", "", a, u})

	var want strings.Builder
	want.WriteString("# HELP threecx_user_activity_calls Calls in the report's window from the User Activity report, summed over its buckets. A group request sets group and an extension request sets extension.\n")
	want.WriteString("# TYPE threecx_user_activity_calls gauge\n")
	total := 0
	for _, r := range rows {
		fmt.Fprintf(&want, "threecx_user_activity_calls{extension=%q,group=%q,report=%q,result=\"answered\"} %d\n", r.extension, r.group, r.report, r.answered)
		fmt.Fprintf(&want, "threecx_user_activity_calls{extension=%q,group=%q,report=%q,result=\"unanswered\"} %d\n", r.extension, r.group, r.report, r.unanswered)
		total += r.answered + r.unanswered
	}
	want.WriteString(`# HELP threecx_up 1 when a token was obtained and the PBX's API answered at least one request of the fetches this scrape serves, 0 otherwise. A report served from the cache (min_interval) counts with the fetch that produced its data.
# TYPE threecx_up gauge
threecx_up 1
# HELP threecx_report_success 1 when every request of the report worked in this scrape, 0 otherwise.
# TYPE threecx_report_success gauge
threecx_report_success{report="last_two_hours"} 1
threecx_report_success{report="today"} 1
`)

	// The data must hold calls, or the comparison proves little.
	if total == 0 {
		t.Fatal("the fake's call log has no calls in the windows; pick another scrape time")
	}
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want.String()),
		"threecx_user_activity_calls", "threecx_up", "threecx_report_success"); err != nil {
		t.Error(err)
	}
}

func TestUserActivityIdleExtensionReportsZero(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)

	want := `# HELP threecx_user_activity_calls Calls in the report's window from the User Activity report, summed over its buckets. A group request sets group and an extension request sets extension.
# TYPE threecx_user_activity_calls gauge
threecx_user_activity_calls{extension="105",group="",report="today",result="answered"} 0
threecx_user_activity_calls{extension="105",group="",report="today",result="unanswered"} 0
`
	// 3CX leaves zero counts out of a bucket; the exporter must still send the series.
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(pbx.collector())
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, f := range families {
		if f.GetName() != "threecx_user_activity_calls" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["extension"] == "105" {
				fmt.Fprintf(&got, "%s %s %v\n", labels["report"], labels["result"], m.GetGauge().GetValue())
			}
		}
	}
	if got.String() != "today answered 0\ntoday unanswered 0\n" {
		t.Errorf("series of extension 105:\n%s\nwant the two zero series of:\n%s", got.String(), want)
	}
}

func TestTokenReusedAcrossScrapes(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)

	for i := 0; i < 3; i++ {
		if got := scrapeValue(t, pbx.collector(), "threecx_up"); got != 1 {
			t.Fatalf("scrape %d: threecx_up = %v, want 1", i, got)
		}
	}
	if got := pbx.fake.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for 3 scrapes", got)
	}
}

func TestRevokedTokenRecovered(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)
	scrapeValue(t, pbx.collector(), "threecx_up")

	pbx.fake.RevokeToken()
	if got := scrapeValue(t, pbx.collector(), "threecx_up"); got != 1 {
		t.Errorf("threecx_up = %v after a revoked token, want 1", got)
	}
	if got := scrapeValue(t, pbx.collector(), `threecx_report_success{report="today"}`); got != 1 {
		t.Errorf("report success = %v after a revoked token, want 1", got)
	}
	// The first scrape fetched one token; the revoked one was replaced by exactly one more,
	// although several requests of the scrape saw the 401.
	if got := pbx.fake.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

func TestWrongSecretSetsUpZero(t *testing.T) {
	const secret = "not-the-secret"
	pbx := newTestPBX(t, userActivityConfig, secret)

	if got := scrapeValue(t, pbx.collector(), "threecx_up"); got != 0 {
		t.Errorf("threecx_up = %v, want 0", got)
	}
	if got := scrapeValue(t, pbx.collector(), `threecx_report_success{report="today"}`); got != 0 {
		t.Errorf("report success = %v, want 0", got)
	}
	if got := len(pbx.fake.Requests()); got != 0 {
		t.Errorf("API requests = %d, want none without a token", got)
	}
	for _, name := range seriesNames(t, pbx.collector()) {
		if strings.HasPrefix(name, "threecx_report_age_seconds") {
			t.Errorf("a report that served no data has an age: %s", name)
		}
	}

	logs := pbx.logs.String()
	if !strings.Contains(logs, "the PBX rejected the exporter's credentials") {
		t.Errorf("log does not say that authentication failed:\n%s", logs)
	}
	if !strings.Contains(logs, "invalid_client") {
		t.Errorf("log does not carry the PBX's error:\n%s", logs)
	}
	if strings.Contains(logs, secret) {
		t.Errorf("log contains the secret:\n%s", logs)
	}
	if n := strings.Count(logs, "the PBX rejected the exporter's credentials"); n != 3 {
		t.Errorf("authentication failure logged %d times in 3 scrapes, want once per scrape", n)
	}
}

func TestFailingRequestKeepsOtherMetrics(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.EscapedPath(), "groupNumber='GRP0002'") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"code":"","message":"Object reference not set to an instance of an object."}}`)
			return true
		}
		return false
	}

	c := pbx.collector()
	tests := []struct {
		series string
		want   float64
	}{
		{`threecx_report_success{report="today"}`, 0},
		{`threecx_report_success{report="last_two_hours"}`, 1},
		{"threecx_up", 1},
	}
	for _, tt := range tests {
		if got := scrapeValue(t, c, tt.series); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.series, got, tt.want)
		}
	}

	series := seriesNames(t, c)
	if !slices.Contains(series, `threecx_user_activity_calls{extension="",group="GRP0001",report="today",result="answered"}`) {
		t.Errorf("the group that worked lost its series: %v", series)
	}
	for _, s := range series {
		if strings.Contains(s, `group="GRP0002"`) {
			t.Errorf("the failed group has a series: %s", s)
		}
	}

	logs := pbx.logs.String()
	for _, want := range []string{"report=today", "GRP0002", "HTTP 500", "Object reference not set"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "report=last_two_hours") {
		t.Errorf("log names the report that worked:\n%s", logs)
	}
}

func TestRequestsBoundedByMaxConcurrency(t *testing.T) {
	pbx := newTestPBX(t, userActivityConfig, threecxtest.DefaultClientSecret)

	// Each API request waits until a second one is in progress, or for a second at most,
	// so that two requests overlap whenever the exporter lets them, however loaded the
	// machine is.
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	overlap := make(chan struct{})
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/xapi/") {
			return false
		}
		mu.Lock()
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		if inFlight == 2 {
			select {
			case <-overlap:
			default:
				close(overlap)
			}
		}
		mu.Unlock()

		select {
		case <-overlap:
		case <-time.After(time.Second):
		}
		time.Sleep(10 * time.Millisecond)

		mu.Lock()
		inFlight--
		mu.Unlock()
		return false
	}

	// Two concurrent scrapes share the target's two request slots.
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Go(func() { scrapeValue(t, pbx.collector(), "threecx_up") })
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if maxInFlight > 2 {
		t.Errorf("max requests in flight = %d, want at most max_concurrency 2", maxInFlight)
	}
	if maxInFlight < 2 {
		t.Errorf("max requests in flight = %d; the report requests did not run concurrently", maxInFlight)
	}
}

// scrapeValue gathers c and returns the value of one series, written as in the exposition
// format with labels sorted by name.
func scrapeValue(t *testing.T, c prometheus.Collector, series string) float64 {
	t.Helper()
	values := gather(t, c)
	v, ok := values[series]
	if !ok {
		t.Fatalf("series %s not found among %d series", series, len(values))
	}
	return v
}

func seriesNames(t *testing.T, c prometheus.Collector) []string {
	t.Helper()
	var names []string
	for name := range gather(t, c) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}

	values := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			name := f.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			values[name] = m.GetGauge().GetValue()
		}
	}
	return values
}

func TestUnreachablePBXLoggedOnce(t *testing.T) {
	// A listener closed at once gives a port where nothing listens.
	listener := httptest.NewServer(http.NotFoundHandler())
	url := listener.URL
	listener.Close()

	cfg, err := config.Parse(fmt.Appendf(nil, userActivityConfig, url, threecxtest.DefaultClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	target, err := collector.NewTarget("office", cfg, collector.Options{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Now:    func() time.Time { return scrapeTime },
	})
	if err != nil {
		t.Fatal(err)
	}

	if got := scrapeValue(t, target.Collector(context.Background()), "threecx_up"); got != 0 {
		t.Errorf("threecx_up = %v, want 0", got)
	}

	text := logs.String()
	if n := strings.Count(text, "token request failed; check url and that the PBX is reachable"); n != 1 {
		t.Errorf("the unreachable PBX was logged %d times in one scrape, want once:\n%s", n, text)
	}
	if strings.Contains(text, "rejected the exporter's credentials") {
		t.Errorf("the log blames the credentials for an unreachable PBX:\n%s", text)
	}
	if !strings.Contains(text, `reports="[last_two_hours today]"`) {
		t.Errorf("the log line does not name the failed reports:\n%s", text)
	}
	if strings.Contains(text, "report failed") {
		t.Errorf("the log repeats the cause per report:\n%s", text)
	}
}
