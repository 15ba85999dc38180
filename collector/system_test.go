package collector_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/internal/demo"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const systemConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
reports:
  pbx:
    type: system
`

var serviceStatuses = []string{
	"Stopped", "StartPending", "StopPending", "Running", "ContinuePending", "PausePending", "Paused",
}

// expectedSystemStatus builds the exposition of the SystemStatus series from the fake's
// figures and its clock at now, for a system with a backup schedule.
func expectedSystemStatus(sys threecxtest.System, users int, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "threecx_license_active{report=\"pbx\"} %d\n", boolInt(sys.LicenseActive))
	fmt.Fprintf(&b, "threecx_license_expiry_timestamp_seconds{report=\"pbx\"} %d\n",
		utcMidnightAfter(now, sys.LicenseValidDays).Unix())
	fmt.Fprintf(&b, "threecx_user_extensions{report=\"pbx\",state=\"used\"} %d\n", users)
	fmt.Fprintf(&b, "threecx_user_extensions{report=\"pbx\",state=\"max\"} %d\n", sys.MaxUserExtensions)
	fmt.Fprintf(&b, "threecx_disk_bytes{report=\"pbx\",state=\"free\"} %d\n", sys.FreeDiskSpace)
	fmt.Fprintf(&b, "threecx_disk_bytes{report=\"pbx\",state=\"total\"} %d\n", sys.TotalDiskSpace)
	fmt.Fprintf(&b, "threecx_recording_bytes{report=\"pbx\",state=\"used\"} %d\n", sys.RecordingUsedSpace)
	fmt.Fprintf(&b, "threecx_recording_bytes{report=\"pbx\",state=\"quota\"} %d\n", sys.RecordingQuota)
	fmt.Fprintf(&b, "threecx_backup_last_timestamp_seconds{report=\"pbx\"} %d\n", latestHour(now, sys.BackupHour).Unix())
	fmt.Fprintf(&b, "threecx_maintenance_expiry_timestamp_seconds{report=\"pbx\"} %d\n",
		utcMidnightAfter(now, sys.MaintenanceValidDays).Unix())
	quotaReached := sys.RecordingQuota > 0 && sys.RecordingUsedSpace >= sys.RecordingQuota
	fmt.Fprintf(&b, "threecx_recording_quota_reached{report=\"pbx\"} %d\n", boolInt(quotaReached))
	fmt.Fprintf(&b, "threecx_recording_stopped{report=\"pbx\"} 0\n")
	fmt.Fprintf(&b, "threecx_backup_scheduled{report=\"pbx\"} %d\n", boolInt(sys.BackupScheduled))
	return b.String()
}

// utcMidnightAfter returns 00:00 UTC of the day that is days after the UTC date of now.
// Unix time counts days from a UTC midnight, so truncating to 24 hours finds one.
func utcMidnightAfter(now time.Time, days int) time.Time {
	return now.Truncate(24 * time.Hour).Add(time.Duration(days) * 24 * time.Hour)
}

// latestHour returns the latest time at or before now at which the clock of now's time
// zone reads hour o'clock, found by stepping back one hour at a time. The zones the tests
// use are whole hours off UTC, so every step lands on a full hour.
func latestHour(now time.Time, hour int) time.Time {
	t := now.Truncate(time.Hour)
	for t.Hour() != hour {
		t = t.Add(-time.Hour)
	}
	return t
}

func expectedTrunks(trunks []threecxtest.Trunk) string {
	var b strings.Builder
	for _, tr := range trunks {
		fmt.Fprintf(&b, "threecx_trunk_online{report=\"pbx\",trunk=%q} %d\n", tr.Number, boolInt(tr.Online))
		fmt.Fprintf(&b, "threecx_trunk_info{name=%q,trunk=%q} 1\n", tr.Name, tr.Number)
	}
	return b.String()
}

func expectedServices(services []threecxtest.Service) string {
	var b strings.Builder
	for _, svc := range services {
		for _, status := range serviceStatuses {
			fmt.Fprintf(&b, "threecx_service_status{report=\"pbx\",service=%q,status=%q} %d\n",
				svc.Name, status, boolInt(status == svc.Status))
		}
	}
	return b.String()
}

func expectedSBCs(sbcs []threecxtest.SBC) string {
	var b strings.Builder
	for _, sbc := range sbcs {
		fmt.Fprintf(&b, "threecx_sbc_connected{report=\"pbx\",sbc=%q} %d\n", sbc.Name, boolInt(sbc.Connected))
		if sbc.Connected && sbc.LatencyMillis != nil {
			fmt.Fprintf(&b, "threecx_sbc_latency_seconds{report=\"pbx\",sbc=%q} %g\n", sbc.Name, float64(*sbc.LatencyMillis)/1000)
		}
		fmt.Fprintf(&b, "threecx_sbc_info{name=%q,sbc=%q} 1\n", sbc.DisplayName, sbc.Name)
	}
	return b.String()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestSystemMetrics(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clocks := []struct {
		name string
		now  time.Time
	}{
		{"after the backup hour", scrapeTime},
		{"before the backup hour", time.Date(2026, 12, 4, 1, 30, 0, 0, berlin)},
		{"after the backup hour in utc+1", time.Date(2026, 12, 4, 2, 10, 0, 0, berlin)},
	}
	for _, clock := range clocks {
		t.Run(clock.name, func(t *testing.T) {
			pbx := newPBXAt(t, threecxtest.DemoDirectory(), systemConfig, clock.now)
			checkSystemMetrics(t, pbx, clock.now)
		})
	}
}

// checkSystemMetrics compares every series of the system report with those computed from
// the fake's directory and its clock at now.
func checkSystemMetrics(t *testing.T, pbx *testPBX, now time.Time) {
	t.Helper()
	d := pbx.fake.Directory
	if !d.System.BackupScheduled {
		t.Fatal("the demo system has no backup schedule, so the last backup cannot be checked")
	}
	tests := []struct {
		name    string
		want    string
		metrics []string
	}{
		{"licence storage and backup", expectedSystemStatus(d.System, len(d.Extensions), now), []string{
			"threecx_license_active", "threecx_license_expiry_timestamp_seconds", "threecx_user_extensions",
			"threecx_disk_bytes", "threecx_recording_bytes", "threecx_backup_last_timestamp_seconds",
			"threecx_maintenance_expiry_timestamp_seconds", "threecx_recording_quota_reached",
			"threecx_recording_stopped", "threecx_backup_scheduled",
		}},
		{"trunks", expectedTrunks(d.Trunks), []string{"threecx_trunk_online", "threecx_trunk_info"}},
		{"services", expectedServices(d.Services), []string{"threecx_service_status"}},
		{"sbcs", expectedSBCs(d.SBCs), []string{"threecx_sbc_connected", "threecx_sbc_latency_seconds", "threecx_sbc_info"}},
		{"success", "threecx_report_success{report=\"pbx\"} 1\n", []string{"threecx_report_success"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compareSamples(t, pbx.collector(), tt.want, tt.metrics...)
		})
	}
}

// compareSamples checks that c's series of the named metrics are exactly the sample
// lines in samples. The HELP lines are taken from c, so the check is on names, labels and
// values.
func compareSamples(t *testing.T, c prometheus.Collector, samples string, names ...string) {
	t.Helper()
	if err := testutil.CollectAndCompare(c, strings.NewReader(exposition(t, c, samples)), names...); err != nil {
		t.Error(err)
	}
}

// exposition turns sample lines into exposition text: the samples grouped by metric name,
// in order of first appearance, each group after c's HELP line and a gauge TYPE line.
func exposition(t *testing.T, c prometheus.Collector, samples string) string {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	for _, f := range families {
		help[f.GetName()] = f.GetHelp()
	}

	var names []string
	groups := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(samples), "\n") {
		name, _, _ := strings.Cut(line, "{")
		name, _, _ = strings.Cut(name, " ")
		if _, ok := groups[name]; !ok {
			names = append(names, name)
		}
		groups[name] = append(groups[name], line)
	}

	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help[name], name)
		for _, line := range groups[name] {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestSystemForbiddenKeepsOtherParts(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/Trunks" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":"Forbidden","message":"Access denied"}}`)
		return true
	}

	values := gather(t, pbx.collector())
	if got := values[`threecx_report_success{report="pbx"}`]; got != 0 {
		t.Errorf("report success = %v, want 0", got)
	}
	if _, ok := values[`threecx_license_active{report="pbx"}`]; !ok {
		t.Error("the licence series is missing, though /SystemStatus answered")
	}
	for _, tr := range pbx.fake.Directory.Trunks {
		if _, ok := values[fmt.Sprintf(`threecx_trunk_online{report="pbx",trunk=%q}`, tr.Number)]; ok {
			t.Errorf("trunk %s has a series, though /Trunks failed", tr.Number)
		}
	}

	logs := pbx.logs.String()
	if !strings.Contains(logs, "report=pbx") {
		t.Errorf("the log does not name the report:\n%s", logs)
	}
	if !strings.Contains(logs, "role lacks the right") {
		t.Errorf("the log does not say that the API client's role lacks the right:\n%s", logs)
	}
}

func TestSystemNullFieldsGiveNoSeries(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/SystemStatus" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"LicenseActive":null,"ExpirationDate":null,"FreeDiskSpace":null}`)
		return true
	}

	values := gather(t, pbx.collector())
	for _, series := range []string{
		`threecx_license_active{report="pbx"}`,
		`threecx_license_expiry_timestamp_seconds{report="pbx"}`,
		`threecx_disk_bytes{report="pbx",state="free"}`,
		`threecx_backup_last_timestamp_seconds{report="pbx"}`,
	} {
		if v, ok := values[series]; ok {
			t.Errorf("%s = %v, want no series for a null field", series, v)
		}
	}
	if got := values[`threecx_report_success{report="pbx"}`]; got != 1 {
		t.Errorf("report success = %v, want 1", got)
	}
}

func TestSystemUnknownServiceStatusShown(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Directory.Services = []threecxtest.Service{{Name: "3CXNew01", DisplayName: "New", Status: "Hibernating"}}

	var want strings.Builder
	for _, status := range serviceStatuses {
		fmt.Fprintf(&want, "threecx_service_status{report=\"pbx\",service=\"3CXNew01\",status=%q} 0\n", status)
	}
	want.WriteString("threecx_service_status{report=\"pbx\",service=\"3CXNew01\",status=\"Hibernating\"} 1\n")
	compareSamples(t, pbx.collector(), want.String(), "threecx_service_status")
}

// TestDemoScrapeSendsOnlyGets scrapes every report of the demo and checks that each
// request that reached the fake PBX was a GET, whatever the XAPI offers besides.
func TestDemoScrapeSendsOnlyGets(t *testing.T) {
	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	targets, err := collector.NewTargets(d.Config, collector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	target := targets[demo.TargetName]
	defer target.Close()

	gather(t, target.Collector(context.Background()))

	requests := d.Fake.Requests()
	if len(requests) == 0 {
		t.Fatal("the scrape sent no request")
	}
	for _, r := range requests {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s: the exporter sent a method other than GET", r.Method, r.Path)
		}
	}
}

// TestDemoScrapeHidesCallerNumbers scrapes every report of the demo at a time when calls
// are in progress and checks that no caller number of the call log appears in the
// exposition or in the logs.
func TestDemoScrapeHidesCallerNumbers(t *testing.T) {
	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	now := busyMoment(t, d.Fake)
	d.Fake.Now = func() time.Time { return now }

	logs := &syncBuffer{}
	targets, err := collector.NewTargets(d.Config, collector.Options{
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	target := targets[demo.TargetName]
	defer target.Close()

	registry := prometheus.NewRegistry()
	registry.MustRegister(target.Collector(context.Background()))
	var exposition strings.Builder
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		exposition.WriteString(f.String())
	}

	calls := d.Fake.Log.AllCalls(now.Add(-24*time.Hour), now)
	if len(calls) == 0 {
		t.Fatal("the call log is empty, so the check would pass vacuously")
	}
	for _, c := range calls {
		if strings.Contains(exposition.String(), c.Caller) {
			t.Errorf("caller number %s appears in the exposition", c.Caller)
		}
		if strings.Contains(logs.String(), c.Caller) {
			t.Errorf("caller number %s appears in the logs", c.Caller)
		}
	}
}

func TestSystemNeverBackedUpIsEpoch(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/SystemStatus" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"BackupScheduled":false,"LastBackupDateTime":"0001-01-01T00:00:00Z"}`)
		return true
	}

	if got := scrapeValue(t, pbx.collector(), `threecx_backup_last_timestamp_seconds{report="pbx"}`); got != 0 {
		t.Errorf("last backup = %v for a PBX that never backed up, want 0, the Unix epoch", got)
	}
}
