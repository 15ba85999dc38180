package collector_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const statusConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
reports:
  live:
    type: status
`

const statusSystemHelp = `# HELP threecx_active_calls Calls in progress on the PBX (SystemStatus CallsActive).
# TYPE threecx_active_calls gauge
# HELP threecx_extensions Extensions of the PBX that are registered (state="registered") and that exist (state="total"), from SystemStatus.
# TYPE threecx_extensions gauge
# HELP threecx_max_simultaneous_calls Simultaneous calls the PBX's licence allows (SystemStatus MaxSimCalls).
# TYPE threecx_max_simultaneous_calls gauge
# HELP threecx_trunks Trunks of the PBX that are registered (state="registered") and that exist (state="total"), from SystemStatus.
# TYPE threecx_trunks gauge
`

const statusUserHelp = `# HELP threecx_user_presence 1 for the user's current presence profile (Users CurrentProfileName), such as Available or Away. Only the current profile has a series.
# TYPE threecx_user_presence gauge
# HELP threecx_user_queue_logged_in 1 when the user is logged into the queues (Users QueueStatus LoggedIn), 0 otherwise.
# TYPE threecx_user_queue_logged_in gauge
# HELP threecx_user_registered 1 when a phone or app is registered to the user's extension (Users IsRegistered), 0 otherwise.
# TYPE threecx_user_registered gauge
`

// callsInProgress counts the calls of the log that ring or talk at now: a call rings for
// Ring from its start and then talks for Talk.
func callsInProgress(log threecxtest.CallLog, now time.Time) int {
	n := 0
	for _, c := range log.AllCalls(now.Add(-time.Hour), now.Add(time.Nanosecond)) {
		if !now.Before(c.Start) && now.Before(c.Start.Add(c.Ring+c.Talk)) {
			n++
		}
	}
	return n
}

func boolMetric(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestStatusSystemMetrics(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	dir := threecxtest.DemoDirectory()

	registered := 0
	for _, e := range dir.Extensions {
		registered += boolMetric(e.Registered)
	}
	online := 0
	for _, trunk := range dir.Trunks {
		online += boolMetric(trunk.Online)
	}

	var want strings.Builder
	want.WriteString(statusSystemHelp)
	fmt.Fprintf(&want, "threecx_active_calls{report=\"live\"} %d\n", callsInProgress(threecxtest.CallLog{Directory: &dir}, scrapeTime))
	fmt.Fprintf(&want, "threecx_extensions{report=\"live\",state=\"registered\"} %d\n", registered)
	fmt.Fprintf(&want, "threecx_extensions{report=\"live\",state=\"total\"} %d\n", len(dir.Extensions))
	fmt.Fprintf(&want, "threecx_max_simultaneous_calls{report=\"live\"} %d\n", dir.System.MaxSimCalls)
	fmt.Fprintf(&want, "threecx_trunks{report=\"live\",state=\"registered\"} %d\n", online)
	fmt.Fprintf(&want, "threecx_trunks{report=\"live\",state=\"total\"} %d\n", len(dir.Trunks))

	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want.String()),
		"threecx_active_calls", "threecx_extensions", "threecx_max_simultaneous_calls", "threecx_trunks"); err != nil {
		t.Error(err)
	}
}

// writeExpectedUsers writes the expected live-state series of every extension of dir.
func writeExpectedUsers(b *strings.Builder, dir threecxtest.Directory) {
	b.WriteString(statusUserHelp)
	for _, e := range dir.Extensions {
		fmt.Fprintf(b, "threecx_user_presence{extension=%q,profile=%q,report=\"live\"} 1\n", e.Number, e.Profile)
		fmt.Fprintf(b, "threecx_user_queue_logged_in{extension=%q,report=\"live\"} %d\n", e.Number, boolMetric(e.QueueLoggedIn))
		fmt.Fprintf(b, "threecx_user_registered{extension=%q,report=\"live\"} %d\n", e.Number, boolMetric(e.Registered))
	}
}

func TestStatusUserMetrics(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)

	var want strings.Builder
	writeExpectedUsers(&want, threecxtest.DemoDirectory())
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want.String()),
		"threecx_user_presence", "threecx_user_queue_logged_in", "threecx_user_registered"); err != nil {
		t.Error(err)
	}
}

func TestStatusUserNamesInInfo(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	values := gather(t, pbx.collector())

	for _, e := range threecxtest.DemoDirectory().Extensions {
		series := fmt.Sprintf("threecx_extension_info{extension=%q,name=%q}", e.Number, e.Name)
		if _, ok := values[series]; !ok {
			t.Errorf("series %s is missing", series)
		}
	}
}

func TestStatusUsersPaged(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Directory = threecxtest.GeneratedDirectory(250)

	var want strings.Builder
	writeExpectedUsers(&want, threecxtest.GeneratedDirectory(250))
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want.String()),
		"threecx_user_presence", "threecx_user_queue_logged_in", "threecx_user_registered"); err != nil {
		t.Error(err)
	}

	var skips []string
	for _, r := range pbx.fake.Requests() {
		if r.Path != "/xapi/v1/Users" {
			continue
		}
		query, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		if got := query.Get("$top"); got != "100" {
			t.Errorf("/Users $top = %q, want 100", got)
		}
		if got := query.Get("$select"); !strings.Contains(got, "QueueStatus") {
			t.Errorf("/Users $select = %q, want the fields the report reads", got)
		}
		skips = append(skips, query.Get("$skip"))
	}
	if got, want := strings.Join(skips, ","), ",100,200"; got != want {
		t.Errorf("/Users $skip of the pages = %q, want %q", got, want)
	}
}

func TestStatusUsersFailureKeepsSystem(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/Users" {
			return false
		}
		http.Error(w, "the role lacks the right", http.StatusForbidden)
		return true
	}

	values := gather(t, pbx.collector())
	if got := values[`threecx_report_success{report="live"}`]; got != 0 {
		t.Errorf("live success = %v, want 0", got)
	}
	if _, ok := values[`threecx_max_simultaneous_calls{report="live"}`]; !ok {
		t.Error("the system figures were lost with the users")
	}
}

func TestStatusNullFieldsGiveNoSeries(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/xapi/v1/SystemStatus":
			fmt.Fprint(w, `{"CallsActive":3,"MaxSimCalls":null}`)
		case "/xapi/v1/Users":
			fmt.Fprint(w, `{"value":[{"Number":"200","IsRegistered":null,"QueueStatus":null,"CurrentProfileName":null}]}`)
		default:
			return false
		}
		return true
	}

	values := gather(t, pbx.collector())
	if got := values[`threecx_active_calls{report="live"}`]; got != 3 {
		t.Errorf("active calls = %v, want 3", got)
	}
	for _, series := range []string{
		`threecx_max_simultaneous_calls{report="live"}`,
		`threecx_trunks{report="live",state="total"}`,
		`threecx_user_registered{extension="200",report="live"}`,
		`threecx_user_queue_logged_in{extension="200",report="live"}`,
	} {
		if value, ok := values[series]; ok {
			t.Errorf("%s = %v, want no series for a null field", series, value)
		}
	}
}

const allNamesConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
reports:
  talk_today:
    type: extension_statistics
    groups: [GRP0000, GRP0001, GRP0002]
  agents_today:
    type: queue_agents
  agents_sales:
    type: queue_agents
    queues: ["800"]
  live:
    type: status
`

func TestNamesOneInfoSeriesPerNumber(t *testing.T) {
	pbx := newTestPBX(t, allNamesConfig, threecxtest.DefaultClientSecret)

	// gather fails on a duplicate series, and every extension is named by several reports.
	values := gather(t, pbx.collector())
	infos := map[string]int{}
	for series := range values {
		if rest, ok := strings.CutPrefix(series, `threecx_extension_info{extension="`); ok {
			number, _, _ := strings.Cut(rest, `"`)
			infos[number]++
		}
	}
	for _, e := range threecxtest.DemoDirectory().Extensions {
		if infos[e.Number] != 1 {
			t.Errorf("extension %s has %d info series, want 1", e.Number, infos[e.Number])
		}
	}
}

func TestNamesInvalidUTF8Replaced(t *testing.T) {
	pbx := newTestPBX(t, statusConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/Users" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{\"value\":[{\"Number\":\"200\",\"DisplayName\":\"Jos\xe9 \\\"Pepe\\\"\",\"IsRegistered\":true}]}"))
		return true
	}

	values := gather(t, pbx.collector())
	series := `threecx_extension_info{extension="200",name="Jos` + "\uFFFD" + ` \"Pepe\""}`
	if _, ok := values[series]; !ok {
		t.Errorf("series %s is missing", series)
	}
}
