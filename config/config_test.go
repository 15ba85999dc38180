package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestLoadInvalidFixtures(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"invalid-unknown-key.yml", `line 6: unknown key "colour" in a target`},
		{"invalid-key-for-type.yml", "reports.sales_today.queues: key is not valid for type user_activity (line 10)"},
		{"invalid-missing-url.yml", "targets.office: url is missing"},
		{"invalid-url-api-path.yml", `targets.office.url: invalid URL "https://pbx.example.com:5001/xapi/v1/": remove the API path; url is the PBX's base URL, such as https://pbx.example.com:5001`},
		{"invalid-url-escape.yml", `targets.office.url: invalid URL: invalid URL escape "%zz"`},
		// A bad duration does not hide the file's other problems.
		{"invalid-duration-and-others.yml", strings.Join([]string{
			`targets.hq.timeout: invalid duration "10" (line 6): want 0s or more, such as 30s, 5m or 1h`,
			`reports.calls.wait_interval: invalid duration "1.5s" (line 13): want whole seconds, 0s or more, such as 20s`,
			`line 7: invalid value "four" (a string) where the config wants a whole number; check the value and its indentation`,
			`reports.calls.window: invalid window "1x": want "today" or a positive duration such as 15m or 1h`,
		}, "\n")},
		{"invalid-url-no-scheme.yml", strings.Join([]string{
			`line 10: unknown key "windw" in a report; did you mean "window"?`,
			`targets.office.url: invalid URL "127.0.0.1:5001": want http:// or https:// followed by the PBX's host`,
		}, "\n")},
		{"invalid-reports-indented.yml", strings.Join([]string{
			`line 7: unknown key "today" in a target`,
			"reports: at least one report is required",
			"targets.reports: a target named reports has no url or client_id; check that reports: starts at the beginning of its line, not indented under targets",
		}, "\n")},
		{"invalid-empty.yml", "the config is empty: want at least targets and reports"},
		{"invalid-targets-list.yml", strings.Join([]string{
			"line 2: got a list where the config wants a mapping of target names to targets; check the value and its indentation",
			"targets: at least one target is required",
			"reports: at least one report is required",
		}, "\n")},
		// Errors of the decoder do not hide the other problems of the file.
		{"invalid-type-and-semantic-errors.yml", strings.Join([]string{
			`line 5: unknown key "timezone" in a target; did you mean "time_zone"?`,
			`line 6: invalid value "32MiB" (a string) where the config wants a whole number; check the value and its indentation`,
			`line 9: invalid value "status" (a string) where the config wants a mapping of keys in a report; check the value and its indentation`,
			`reports.today.window: invalid window "yesterday": want "today" or a positive duration such as 15m or 1h`,
			"reports.today: set groups, extensions or both",
			`reports.today.call_area: invalid call_area "far": want all, internal, external, 0, 1 or 2`,
			"targets.lab: client_secret or client_secret_file is missing; set exactly one",
			`targets.lab.time_zone: unknown time zone "Mars/Base": want an IANA name such as Europe/Berlin`,
		}, "\n")},
		{"invalid-url-credentials.yml", `targets.office.url: invalid URL "https://admin:xxxxx@pbx.example.com:5001": remove the user name and password; the exporter logs in with client_id and client_secret`},
		{"invalid-durations.yml", strings.Join([]string{
			`targets.office.timeout: invalid duration "-5s" (line 6): want 0s or more, such as 30s, 5m or 1h`,
			`reports.sales_today.min_interval: invalid duration "5x" (line 11): want 0s or more, such as 30s, 5m or 1h`,
		}, "\n")},
		{"invalid-url-scheme.yml", `targets.office.url: invalid URL "ftp://pbx.example.com": want http:// or https:// followed by the PBX's host`},
		{"invalid-missing-client-id.yml", "targets.office: client_id is missing"},
		{"invalid-both-secrets.yml", "targets.office: client_secret and client_secret_file are both set; set exactly one"},
		{"invalid-no-secret.yml", "targets.office: client_secret or client_secret_file is missing; set exactly one"},
		{"invalid-secret-file-missing.yml", "targets.office.client_secret_file: open testdata/no-such-file: no such file or directory"},
		{"invalid-time-zone.yml", `targets.office.time_zone: unknown time zone "Europe/Berln": want an IANA name such as Europe/Berlin`},
		{"invalid-report-time-zone.yml", `reports.sales_today.time_zone: unknown time zone "Mars/Olympus": want an IANA name such as Europe/Berlin`},
		{"invalid-window-negative.yml", `reports.sales_today.window: invalid window "-5m": want "today" or a positive duration such as 15m or 1h`},
		{"invalid-window-word.yml", `reports.sales_today.window: invalid window "yesterday": want "today" or a positive duration such as 15m or 1h`},
		{"invalid-unknown-target-report.yml", `targets.office.reports: unknown report "sales_yesterday": want one of the names under reports`},
		{"invalid-no-groups-or-extensions.yml", "reports.sales_today: set groups, extensions or both"},
		{"invalid-call-area.yml", `reports.sales_today.call_area: invalid call_area "everywhere": want all, internal, external, 0, 1 or 2`},
		{"invalid-call-area-number.yml", `reports.sales_today.call_area: invalid call_area "3": want all, internal, external, 0, 1 or 2`},
		{"invalid-max-concurrency.yml", "targets.office.max_concurrency: invalid value -1: want 1 or more"},
		{"invalid-unknown-type.yml", `reports.sales_today.type: unknown report type "user_activities": want one of ` + strings.Join(sortedKeys(reportTypeKeys), ", ")},
		{"invalid-missing-type.yml", "reports.sales_today: type is missing: want one of " + strings.Join(sortedKeys(reportTypeKeys), ", ")},
		{"invalid-duplicate-group.yml", `reports.sales_today.groups[1]: "GRP0001" is listed twice`},
		{"invalid-wait-interval.yml", "reports.sales_today.wait_interval: invalid value 1s500ms: want whole seconds, 0s or more"},
		{"invalid-system-window.yml", "reports.pbx.window: key is not valid for type system (line 9)"},
		{"invalid-queue-service-duplicate-queue.yml", `reports.sla.queues[1]: "800" is listed twice`},
		{"invalid-queue-service-queue-list.yml", `reports.sla.queues[0]: "800,801" contains a comma: list each queue number on its own, because the PBX reports one queue per request`},
		{"invalid-queue-service-wait-interval.yml", "reports.sla.wait_interval: invalid value 2s500ms: want whole seconds, 0s or more"},
		{"invalid-queue-live-empty-status.yml", "reports.waiting.waiting_statuses[1]: empty value"},
		{"invalid-queue-live-duplicate-profile.yml", `reports.waiting.available_profiles[1]: "Available" is listed twice`},
		{"invalid-no-targets.yml", "targets: at least one target is required"},
		{"invalid-several-errors.yml", strings.Join([]string{
			`reports.sales_today.window: invalid window "0s": want "today" or a positive duration such as 15m or 1h`,
			"reports.sales_today: set groups, extensions or both",
			"targets.office: client_id is missing",
			"targets.office: client_secret or client_secret_file is missing; set exactly one",
			`targets.office.time_zone: unknown time zone "Nowhere/City": want an IANA name such as Europe/Berlin`,
		}, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cfg, err := Load(filepath.Join("testdata", tt.file))
			if err == nil {
				t.Fatalf("Load accepted the config: %+v", cfg)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

// TestInvalidFixturesAllTested keeps the fixture list and the files in step.
func TestInvalidFixturesAllTested(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile("config_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.Contains(string(source), `"`+filepath.Base(f)+`"`) {
			t.Errorf("fixture %s has no test case", f)
		}
	}
}

func TestLoadValidDefaults(t *testing.T) {
	cfg, err := Load("testdata/valid.yml")
	if err != nil {
		t.Fatal(err)
	}

	office := cfg.Targets["office"]
	if got := office.Location.String(); got != "Europe/Berlin" {
		t.Errorf("office location = %s, want Europe/Berlin", got)
	}
	if office.MaxConcurrency != 2 {
		t.Errorf("office max_concurrency = %d, want 2", office.MaxConcurrency)
	}
	if office.Secret != "s3cret" {
		t.Error("office secret was not taken from client_secret")
	}
	if got := strings.Join(office.Reports, ","); got != "sales_today" {
		t.Errorf("office reports = %s, want sales_today", got)
	}

	branch := cfg.Targets["branch"]
	if branch.Secret != "s3cret-from-file" {
		t.Error("branch secret was not read from client_secret_file without its newline")
	}
	if got := branch.Location.String(); got != DefaultTimeZone {
		t.Errorf("branch location = %s, want %s", got, DefaultTimeZone)
	}
	if branch.MaxConcurrency != DefaultMaxConcurrency {
		t.Errorf("branch max_concurrency = %d, want %d", branch.MaxConcurrency, DefaultMaxConcurrency)
	}
	if branch.Timeout != DefaultTimeout {
		t.Errorf("branch timeout = %s, want %s", branch.Timeout, DefaultTimeout)
	}
	if got := strings.Join(branch.Reports, ","); got != "last_hour,sales_today" {
		t.Errorf("branch reports = %s, want every report, sorted", got)
	}

	sales := cfg.Reports["sales_today"]
	if !sales.ParsedWindow.Today {
		t.Error("sales_today window is not today")
	}
	if sales.ParsedCallArea != 2 {
		t.Errorf("sales_today call area = %d, want 2 (external)", sales.ParsedCallArea)
	}
	if time.Duration(sales.WaitInterval) != 20*time.Second {
		t.Errorf("sales_today wait_interval = %s, want 20s", sales.WaitInterval)
	}
	if sales.Location == nil || sales.Location.String() != "America/New_York" {
		t.Errorf("sales_today location = %v, want America/New_York", sales.Location)
	}

	hour := cfg.Reports["last_hour"]
	if hour.ParsedWindow.Today || hour.ParsedWindow.Duration != time.Hour {
		t.Errorf("last_hour window = %s, want 1h", hour.ParsedWindow)
	}
	if hour.ParsedCallArea != 1 {
		t.Errorf("last_hour call area = %d, want 1 (internal)", hour.ParsedCallArea)
	}
	if hour.Location != nil {
		t.Errorf("last_hour location = %v, want nil (the target's)", hour.Location)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	cfg, err := Load("testdata/valid.yml")
	if err != nil {
		t.Fatal(err)
	}

	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret-from-file", "s3cret\n", "s3cret\""} {
		if strings.Contains(string(out)+"\n", secret) {
			t.Errorf("marshalled config contains the secret %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(string(out), "client_secret: <secret>") {
		t.Errorf("marshalled config does not mask client_secret:\n%s", out)
	}

	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(format, cfg.Targets["office"].Secret); strings.Contains(got, "s3cret") {
			t.Errorf("format %s prints the secret: %s", format, got)
		}
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    Window
		wantErr bool
	}{
		{in: "today", want: Window{Today: true}},
		{in: "15m", want: Window{Duration: 15 * time.Minute}},
		{in: "1h30m", want: Window{Duration: 90 * time.Minute}},
		{in: "1d", want: Window{Duration: 24 * time.Hour}},
		{in: "0s", wantErr: true},
		{in: "-1h", wantErr: true},
		{in: "Today", wantErr: true},
		{in: "", wantErr: true},
		{in: "15", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWindow(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Errorf("ParseWindow(%q) = %v, want an error", tt.in, got)
				} else if !strings.Contains(err.Error(), `"`+tt.in+`"`) {
					t.Errorf("error %q does not name the value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseWindow(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func mustLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestWindowRangeTodayAcrossClockChanges checks "today" on the days the clocks change: the
// window starts at the calendar date's midnight, so it spans 23 or 25 hours at day's end.
func TestWindowRangeTodayAcrossClockChanges(t *testing.T) {
	berlin := mustLocation(t, "Europe/Berlin")
	newYork := mustLocation(t, "America/New_York")

	tests := []struct {
		name      string
		now       time.Time
		loc       *time.Location
		wantFrom  time.Time
		wantHours float64
	}{
		{"Berlin spring forward", time.Date(2026, 3, 29, 23, 59, 0, 0, berlin), berlin,
			time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), 23 - 1.0/60},
		{"Berlin fall back", time.Date(2026, 10, 25, 23, 59, 0, 0, berlin), berlin,
			time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC), 25 - 1.0/60},
		{"Berlin morning after spring forward", time.Date(2026, 3, 29, 4, 0, 0, 0, berlin), berlin,
			time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), 3},
		{"New York spring forward", time.Date(2026, 3, 8, 12, 0, 0, 0, newYork), newYork,
			time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC), 11},
		{"New York fall back", time.Date(2026, 11, 1, 12, 0, 0, 0, newYork), newYork,
			time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), 13},
		{"UTC midnight", time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), time.UTC,
			time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), 0},
		{"scrape time in another zone", time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), berlin,
			time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC), 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := Window{Today: true}.Range(tt.now, tt.loc)
			if !from.Equal(tt.wantFrom) {
				t.Errorf("from = %s, want %s", from, tt.wantFrom)
			}
			if from.Location() != time.UTC {
				t.Errorf("from is in %s, want UTC", from.Location())
			}
			if !to.Equal(tt.now) {
				t.Errorf("to = %s, want the scrape time %s", to, tt.now)
			}
			if got := to.Sub(from).Hours(); got != tt.wantHours {
				t.Errorf("window is %v hours, want %v", got, tt.wantHours)
			}
		})
	}
}

func TestWindowRangeDuration(t *testing.T) {
	berlin := mustLocation(t, "Europe/Berlin")
	// 02:30 on the spring-forward day does not exist in Berlin; a duration window does not
	// care, because it counts back from the scrape in absolute time.
	now := time.Date(2026, 3, 29, 1, 15, 0, 0, time.UTC)
	from, to := Window{Duration: time.Hour}.Range(now, berlin)
	if want := now.Add(-time.Hour); !from.Equal(want) {
		t.Errorf("from = %s, want %s", from, want)
	}
	if !to.Equal(now) {
		t.Errorf("to = %s, want %s", to, now)
	}
}

// TestExampleConfigValid keeps the documented example in the repository loadable.
func TestExampleConfigValid(t *testing.T) {
	t.Setenv("THREECX_OFFICE_SECRET", "example-secret")
	data, err := os.ReadFile("../exporter.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The example points client_secret_file at /etc; point it at a fixture instead.
	text := strings.Replace(string(data), "/etc/threecx_exporter/branch.secret", "testdata/secret.txt", 1)

	cfg, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("exporter.yml is invalid:\n%v", err)
	}
	for _, name := range cfg.ReportNames() {
		if _, ok := reportTypeKeys[cfg.Reports[name].Type]; !ok {
			t.Errorf("report %s has an unknown type", name)
		}
	}
	types := map[string]bool{}
	for _, r := range cfg.Reports {
		types[r.Type] = true
	}
	for typ := range reportTypeKeys {
		if !types[typ] {
			t.Errorf("exporter.yml has no example of the report type %s", typ)
		}
	}
}

func TestSharedClientWarning(t *testing.T) {
	const base = `
targets:
  fast:
    url: https://PBX.example.com:5001
    client_id: prometheus
    client_secret: s3cret
  slow:
    url: https://pbx.example.com:5001/
    client_id: %s
    client_secret: s3cret
reports:
  today:
    type: user_activity
    groups: [GRP0001]
`
	tests := []struct {
		name, clientID string
		want           []string
	}{
		{"same client ID", "prometheus", []string{"targets.slow: same url host and client_id as targets.fast;" +
			" 3CX keeps one token per client ID, so the two revoke each other's token on every scrape:" +
			" create a second API client, or use one target with min_interval on its slow reports"}},
		{"other client ID", "prometheus-slow", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(fmt.Appendf(nil, base, tt.clientID))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.Warnings, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(cfg.Warnings, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestClosestKey(t *testing.T) {
	keys := yamlKeys(Target{})
	tests := []struct {
		typo, want string
	}{
		{"timezone", "time_zone"},
		{"TimeZone", "time_zone"},
		{"client_secert", "client_secret"},
		{"clientid", "client_id"},
		{"max_concurency", "max_concurrency"},
		{"colour", ""},
		{"report", "reports"},
	}
	for _, tt := range tests {
		t.Run(tt.typo, func(t *testing.T) {
			if got := closestKey(tt.typo, keys); got != tt.want {
				t.Errorf("closestKey(%q) = %q, want %q", tt.typo, got, tt.want)
			}
		})
	}
}

func TestLiteralSecretWarning(t *testing.T) {
	tests := []struct {
		name, secret string
		warn         bool
	}{
		{"no braces", "$THREECX_SECRET", true},
		{"reference inside", "pre-${THREECX_SECRET}", true},
		{"plain secret", "s3cret", false},
		{"dollar inside", "s3c$ret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := fmt.Sprintf(`
targets:
  office:
    url: https://pbx.example.com:5001
    client_id: prometheus
    client_secret: %q
reports:
  today:
    type: user_activity
    groups: [GRP0001]
`, tt.secret)
			cfg, err := Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(strings.Join(cfg.Warnings, "\n"), "targets.office.client_secret: the value contains $")
			if warned != tt.warn {
				t.Errorf("warned = %v, want %v: %q", warned, tt.warn, cfg.Warnings)
			}
			for _, w := range cfg.Warnings {
				if strings.Contains(w, tt.secret) {
					t.Errorf("warning quotes the secret: %s", w)
				}
			}
		})
	}
}
