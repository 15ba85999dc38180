package test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const rulesTestPath = "../prometheus/threecx.rules_test.yml"

// recordName is the level:metric:operations form of a recording rule's name.
var recordName = regexp.MustCompile(`^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$`)

func TestRecordingRuleNames(t *testing.T) {
	for _, r := range loadRules(t).rules() {
		if r.Record == "" {
			continue
		}
		if !recordName.MatchString(r.Record) {
			t.Errorf("recording rule %q is not named level:metric:operations", r.Record)
		}
	}
}

func TestAlertingRules(t *testing.T) {
	alerts := 0
	for _, r := range loadRules(t).rules() {
		if r.Alert == "" {
			continue
		}
		alerts++
		t.Run(r.Alert, func(t *testing.T) {
			if r.For == "" {
				t.Error("the alert has no for:")
			}
			if r.Labels["severity"] == "" {
				t.Error("the alert has no severity label")
			}
			if strings.TrimSpace(r.Annotations["summary"]) == "" {
				t.Error("the alert has no summary")
			}
			if !strings.Contains(r.Annotations["description"], "$labels.target") {
				t.Errorf("description %q does not name the target", r.Annotations["description"])
			}
		})
	}
	if alerts == 0 {
		t.Fatalf("%s has no alerting rules", rulesPath)
	}
}

// increaseSelector matches increase() and captures the selector it reads.
var increaseSelector = regexp.MustCompile(`increase\(\s*([^\[]*)\[`)

// todayWindowJoin is the join that keeps the series of reports with window: today.
var todayWindowJoin = regexp.MustCompile(
	`and\s+on\s*\(\s*target\s*,\s*report\s*\)\s*threecx_report_info\{window="today"\}`)

// readsReportGauge reports whether expr applies increase() to a metric of the exporter
// other than a counter. The report metrics are gauges over the report's window, and the
// exporter's counters end in _total.
func readsReportGauge(expr string) bool {
	for _, m := range increaseSelector.FindAllStringSubmatch(expr, -1) {
		selector := m[1]
		if strings.Contains(selector, "threecx_") && !strings.Contains(selector, "_total") {
			return true
		}
	}
	return false
}

// TestIncreaseRulesSelectTodayWindow checks that every rule that applies increase() to a
// report's gauge keeps only the series of today-window reports. The gauge of a rolling
// window falls whenever a call leaves the window, and increase() reads each fall as a
// counter reset.
func TestIncreaseRulesSelectTodayWindow(t *testing.T) {
	checked := 0
	for _, r := range loadRules(t).rules() {
		if !readsReportGauge(r.Expr) {
			continue
		}
		checked++
		if !todayWindowJoin.MatchString(r.Expr) {
			t.Errorf("rule %s%s applies increase() to a report's gauge without %q",
				r.Record, r.Alert, `and on (target, report) threecx_report_info{window="today"}`)
		}
	}
	if checked == 0 {
		t.Fatalf("%s has no rule that applies increase() to a report's gauge", rulesPath)
	}
}

// promtoolTests is the part of a promtool rule test file the checks read.
type promtoolTests struct {
	Tests []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// TestEveryAlertHasUnitTests checks that promtool tests every alert both firing and
// staying quiet.
func TestEveryAlertHasUnitTests(t *testing.T) {
	data, err := os.ReadFile(rulesTestPath)
	if err != nil {
		t.Fatal(err)
	}
	var tests promtoolTests
	if err := yaml.Unmarshal(data, &tests); err != nil {
		t.Fatalf("parse %s: %v", rulesTestPath, err)
	}

	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range tests.Tests {
		for _, check := range tc.AlertRuleTest {
			if len(check.ExpAlerts) > 0 {
				fires[check.Alertname] = true
			} else {
				quiet[check.Alertname] = true
			}
		}
	}

	for _, r := range loadRules(t).rules() {
		if r.Alert == "" {
			continue
		}
		if !fires[r.Alert] {
			t.Errorf("%s has no case where %s fires", rulesTestPath, r.Alert)
		}
		if !quiet[r.Alert] {
			t.Errorf("%s has no case where %s stays quiet", rulesTestPath, r.Alert)
		}
	}
}
