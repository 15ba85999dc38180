package collector_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const extensionStatisticsConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
    max_concurrency: 2
reports:
  talk_today:
    type: extension_statistics
    window: today
    groups: [GRP0000, GRP0001]
  talk_external:
    type: extension_statistics
    window: 2h
    groups: [GRP0002]
    call_area: external
`

const extensionCallsHelp = `# HELP threecx_extension_calls Calls of the extension in the report's window, from the Extension Statistics by Group report.
# TYPE threecx_extension_calls gauge
`

const extensionTalkHelp = `# HELP threecx_extension_talk_seconds Talk time of the extension's answered calls in the report's window, in seconds, from the Extension Statistics by Group report.
# TYPE threecx_extension_talk_seconds gauge
`

// exactSeconds converts d to the float64 nearest to its exact value in seconds, which
// time.Duration.Seconds does not promise.
func exactSeconds(t *testing.T, d time.Duration) float64 {
	t.Helper()
	if d < 0 {
		t.Fatalf("negative duration %s", d)
	}
	seconds, err := strconv.ParseFloat(fmt.Sprintf("%d.%09d", d/time.Second, d%time.Second), 64)
	if err != nil {
		t.Fatal(err)
	}
	return seconds
}

// berlinMidnight returns the start of the scrape's day in Berlin, the start of "today".
func berlinMidnight(t *testing.T) time.Time {
	t.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := scrapeTime.In(berlin)
	return time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin)
}

// extensionFigures are the expected figures of one extension, computed from the call log.
type extensionFigures struct {
	inAnswered, inUnanswered, outAnswered, outUnanswered int
	inTalk, outTalk                                      time.Duration
}

func expectedExtensionFigures(log threecxtest.CallLog, number string, from, to time.Time, area string) extensionFigures {
	var f extensionFigures
	for _, c := range log.Calls([]string{number}, from, to) {
		if area == "external" && !c.External {
			continue
		}
		switch {
		case c.Inbound && c.Answered:
			f.inAnswered++
			f.inTalk += c.Talk
		case c.Inbound:
			f.inUnanswered++
		case c.Answered:
			f.outAnswered++
			f.outTalk += c.Talk
		default:
			f.outUnanswered++
		}
	}
	return f
}

func TestExtensionStatisticsMetrics(t *testing.T) {
	pbx := newTestPBX(t, extensionStatisticsConfig, threecxtest.DefaultClientSecret)
	dir := threecxtest.DemoDirectory()
	log := threecxtest.CallLog{Directory: &dir}

	requests := []struct {
		report, group, area string
		from                time.Time
	}{
		{"talk_external", "GRP0002", "external", scrapeTime.Add(-2 * time.Hour)},
		{"talk_today", "GRP0000", "all", berlinMidnight(t)},
		{"talk_today", "GRP0001", "all", berlinMidnight(t)},
	}
	var calls, talk strings.Builder
	calls.WriteString(extensionCallsHelp)
	talk.WriteString(extensionTalkHelp)
	totalCalls := 0
	for _, req := range requests {
		for _, number := range members(dir, req.group) {
			f := expectedExtensionFigures(log, number, req.from, scrapeTime, req.area)
			series := func(direction, result string, value int) {
				fmt.Fprintf(&calls, "threecx_extension_calls{direction=%q,extension=%q,group=%q,report=%q,result=%q} %d\n",
					direction, number, req.group, req.report, result, value)
				totalCalls += value
			}
			series("inbound", "answered", f.inAnswered)
			series("inbound", "unanswered", f.inUnanswered)
			series("outbound", "answered", f.outAnswered)
			series("outbound", "unanswered", f.outUnanswered)
			fmt.Fprintf(&talk, "threecx_extension_talk_seconds{direction=\"inbound\",extension=%q,group=%q,report=%q} %v\n",
				number, req.group, req.report, exactSeconds(t, f.inTalk))
			fmt.Fprintf(&talk, "threecx_extension_talk_seconds{direction=\"outbound\",extension=%q,group=%q,report=%q} %v\n",
				number, req.group, req.report, exactSeconds(t, f.outTalk))
		}
	}

	if totalCalls == 0 {
		t.Fatal("the fake's call log has no calls in the windows; pick another scrape time")
	}
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(calls.String()), "threecx_extension_calls"); err != nil {
		t.Error(err)
	}
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(talk.String()), "threecx_extension_talk_seconds"); err != nil {
		t.Error(err)
	}
}

func TestExtensionStatisticsIdleExtensionZero(t *testing.T) {
	pbx := newTestPBX(t, extensionStatisticsConfig, threecxtest.DefaultClientSecret)

	// The fake leaves every count and duration out of the idle extension's row, as 3CX
	// does for zeros, and the exporter must still send its series.
	values := gather(t, pbx.collector())
	for _, series := range []string{
		`threecx_extension_calls{direction="inbound",extension="105",group="GRP0000",report="talk_today",result="answered"}`,
		`threecx_extension_calls{direction="outbound",extension="105",group="GRP0000",report="talk_today",result="unanswered"}`,
		`threecx_extension_talk_seconds{direction="inbound",extension="105",group="GRP0000",report="talk_today"}`,
		`threecx_extension_talk_seconds{direction="outbound",extension="105",group="GRP0000",report="talk_today"}`,
	} {
		value, ok := values[series]
		if !ok {
			t.Errorf("series %s is missing", series)
			continue
		}
		if value != 0 {
			t.Errorf("%s = %v, want 0", series, value)
		}
	}
}

func TestExtensionStatisticsOneRequestPerGroup(t *testing.T) {
	pbx := newTestPBX(t, extensionStatisticsConfig, threecxtest.DefaultClientSecret)
	gather(t, pbx.collector())

	var groups []string
	for _, r := range pbx.fake.Requests() {
		if strings.Contains(r.Path, "GetExtensionStatisticsByGroupData") {
			_, rest, _ := strings.Cut(r.Path, "groupNumber=")
			group, _, _ := strings.Cut(rest, ",")
			groups = append(groups, group)
		}
	}
	slices.Sort(groups)
	want := []string{"'GRP0000'", "'GRP0001'", "'GRP0002'"}
	if !slices.Equal(groups, want) {
		t.Errorf("requested groups %q, want %q", groups, want)
	}
}

func TestExtensionStatisticsInvalidDuration(t *testing.T) {
	pbx := newTestPBX(t, extensionStatisticsConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "groupNumber='GRP0001'") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"value":[{"Dn":"101","InboundAnsweredCount":2,"InboundAnsweredTalkingDur":"P1M"}]}`)
		return true
	}

	values := gather(t, pbx.collector())
	if got := values[`threecx_report_success{report="talk_today"}`]; got != 0 {
		t.Errorf("talk_today success = %v, want 0", got)
	}
	if got := values[`threecx_report_success{report="talk_external"}`]; got != 1 {
		t.Errorf("talk_external success = %v, want 1", got)
	}
	if _, ok := values[`threecx_extension_calls{direction="inbound",extension="101",group="GRP0001",report="talk_today",result="answered"}`]; ok {
		t.Error("the group with the invalid duration still has series; want none rather than a 0")
	}
	if _, ok := values[`threecx_extension_calls{direction="inbound",extension="101",group="GRP0000",report="talk_today",result="answered"}`]; !ok {
		t.Error("the other group of the report lost its series")
	}
	line := logLine(pbx.logs.String(), "report failed")
	for _, part := range []string{"InboundAnsweredTalkingDur", `P1M`, "GRP0001"} {
		if !strings.Contains(line, part) {
			t.Errorf("log line %q does not contain %q", line, part)
		}
	}
}

func TestExtensionStatisticsDuplicateRowsMerged(t *testing.T) {
	pbx := newTestPBX(t, extensionStatisticsConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "groupNumber='GRP0002'") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"value":[`+
			`{"Dn":"104","DisplayName":"Björn","InboundAnsweredCount":2,"InboundAnsweredTalkingDur":"PT1M0.5S"},`+
			`{"Dn":"104","DisplayName":"Björn","InboundAnsweredCount":3,"InboundAnsweredTalkingDur":"P1DT0.25S"}]}`)
		return true
	}

	values := gather(t, pbx.collector())
	calls := `threecx_extension_calls{direction="inbound",extension="104",group="GRP0002",report="talk_external",result="answered"}`
	if got := values[calls]; got != 2+3 {
		t.Errorf("%s = %v, want %d", calls, got, 2+3)
	}
	talk := `threecx_extension_talk_seconds{direction="inbound",extension="104",group="GRP0002",report="talk_external"}`
	if got, want := values[talk], 60.5+86400.25; got != want {
		t.Errorf("%s = %v, want %v", talk, got, want)
	}
}
