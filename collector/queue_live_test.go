package collector_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const queueLiveConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
reports:
  live:
    type: queue_live
`

// newPBXAt starts a fake PBX with directory d and a target that scrapes it with
// configYAML, both with the clock stopped at now.
func newPBXAt(t testing.TB, d threecxtest.Directory, configYAML string, now time.Time) *testPBX {
	t.Helper()
	return newPBXWithClock(t, d, configYAML, func() time.Time { return now })
}

// newPBXWithClock starts a fake PBX with directory d and a target that scrapes it with
// configYAML, both reading the clock now.
func newPBXWithClock(t testing.TB, d threecxtest.Directory, configYAML string, now func() time.Time) *testPBX {
	t.Helper()
	fake := threecxtest.NewServer(d)
	fake.Now = now
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)

	cfg, err := config.Parse(fmt.Appendf(nil, configYAML, server.URL, threecxtest.DefaultClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	target, err := collector.NewTarget("office", cfg, collector.Options{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Now:    now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.Close)
	return &testPBX{fake: fake, target: target, logs: logs}
}

// ringing reports whether call c is still ringing at now.
func ringing(c threecxtest.Call, now time.Time) bool {
	return !now.Before(c.Start) && now.Before(c.Start.Add(c.Ring))
}

// busyMoment returns the first moment of the day before scrapeTime at which at least two
// queue calls of the fake's call log ring at once, so that waiting calls can be counted.
func busyMoment(t *testing.T, fake *threecxtest.Server) time.Time {
	t.Helper()
	calls := fake.Log.AllCalls(scrapeTime.Add(-24*time.Hour), scrapeTime)
	for _, c := range calls {
		if c.Queue == "" {
			continue
		}
		moment := c.Start.Add(c.Ring - time.Second)
		waiting := 0
		for _, other := range calls {
			if other.Queue != "" && ringing(other, moment) {
				waiting++
			}
		}
		if waiting >= 2 {
			return moment
		}
	}
	t.Fatal("no moment of the call log has two queue calls ringing at once")
	return time.Time{}
}

// expectedWaiting computes calls waiting and the oldest wait of each queue at now from
// the call log: a queue call waits while it rings, since it was last changed at its start.
func expectedWaiting(d threecxtest.Directory, log threecxtest.CallLog, now time.Time) string {
	calls := log.AllCalls(now.Add(-time.Hour), now.Add(time.Nanosecond))
	var b strings.Builder
	for _, q := range d.Queues {
		waiting := 0
		var oldest time.Duration
		for _, c := range calls {
			if c.Queue == q.Number && ringing(c, now) {
				waiting++
				oldest = max(oldest, now.Sub(c.Start))
			}
		}
		fmt.Fprintf(&b, "threecx_queue_calls_waiting{queue=%q,report=\"live\"} %d\n", q.Number, waiting)
		fmt.Fprintf(&b, "threecx_queue_oldest_wait_seconds{queue=%q,report=\"live\"} %g\n", q.Number, oldest.Seconds())
	}
	return b.String()
}

// expectedAgents computes the agent states of each queue at now from the directory and the
// call log. An agent is on a call while a call of theirs is in progress, except while a
// queue call still rings at the queue.
func expectedAgents(d threecxtest.Directory, log threecxtest.CallLog, now time.Time) string {
	busy := map[string]bool{}
	for _, c := range log.AllCalls(now.Add(-time.Hour), now.Add(time.Nanosecond)) {
		active := !now.Before(c.Start) && now.Before(c.Start.Add(c.Ring+c.Talk))
		if active && !(c.Queue != "" && ringing(c, now)) {
			busy[c.Extension] = true
		}
	}

	var b strings.Builder
	for _, q := range d.Queues {
		counts := map[string]int{}
		for _, number := range q.Agents {
			e, _ := d.Extension(number)
			switch {
			case !e.QueueLoggedIn:
				counts["logged_out"]++
			case busy[number]:
				counts["logged_in"]++
				counts["on_call"]++
			case e.Profile != "Available":
				counts["logged_in"]++
				counts["away"]++
			default:
				counts["logged_in"]++
				counts["available"]++
			}
		}
		for _, state := range []string{"logged_in", "logged_out", "on_call", "away", "available", "unknown"} {
			fmt.Fprintf(&b, "threecx_queue_agents{queue=%q,report=\"live\",state=%q} %d\n", q.Number, state, counts[state])
		}
	}
	return b.String()
}

func TestQueueLiveMetrics(t *testing.T) {
	demoNow := busyMoment(t, threecxtest.NewServer(threecxtest.DemoDirectory()))
	generated := threecxtest.GeneratedDirectory(1000)

	tests := []struct {
		name string
		dir  threecxtest.Directory
		now  time.Time
	}{
		{"demo directory with calls waiting", threecxtest.DemoDirectory(), demoNow},
		{"demo directory at the fixed clock", threecxtest.DemoDirectory(), scrapeTime},
		{"more active calls than one page", generated, scrapeTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pbx := newPBXAt(t, tt.dir, queueLiveConfig, tt.now)
			d, log := pbx.fake.Directory, pbx.fake.Log

			t.Run("waiting", func(t *testing.T) {
				compareSamples(t, pbx.collector(), expectedWaiting(d, log, tt.now),
					"threecx_queue_calls_waiting", "threecx_queue_oldest_wait_seconds")
			})
			t.Run("agents", func(t *testing.T) {
				compareSamples(t, pbx.collector(), expectedAgents(d, log, tt.now), "threecx_queue_agents")
			})
		})
	}
}

// TestQueueLiveDemoCallersWait scrapes the demo once a minute for the hour before
// scrapeTime. Each scrape must match the call log, and callers must wait in at least a
// quarter of them, so that the demo's waiting-callers panel shows more than zeros.
func TestQueueLiveDemoCallersWait(t *testing.T) {
	start := scrapeTime.Add(-time.Hour)
	now := start
	pbx := newPBXWithClock(t, threecxtest.DemoDirectory(), queueLiveConfig, func() time.Time { return now })
	d, log := pbx.fake.Directory, pbx.fake.Log

	minutes, waitingMinutes := 0, 0
	for ; now.Before(scrapeTime); now = now.Add(time.Minute) {
		compareSamples(t, pbx.collector(), expectedWaiting(d, log, now), "threecx_queue_calls_waiting")

		waiting := 0.0
		for _, q := range d.Queues {
			waiting += scrapeValue(t, pbx.collector(), fmt.Sprintf(`threecx_queue_calls_waiting{queue=%q,report="live"}`, q.Number))
		}
		minutes++
		if waiting > 0 {
			waitingMinutes++
		}
	}
	if waitingMinutes*4 < minutes {
		t.Errorf("callers wait in %d of %d scrapes from %s, want at least a quarter",
			waitingMinutes, minutes, start.Format(time.DateTime))
	}
}

func TestQueueLiveActiveCallsPaged(t *testing.T) {
	pbx := newPBXAt(t, threecxtest.GeneratedDirectory(1000), queueLiveConfig, scrapeTime)
	active := len(pbx.fake.ActiveCalls(scrapeTime))
	if active <= 100 {
		t.Fatalf("the fake has %d active calls, too few to need a second page", active)
	}

	gather(t, pbx.collector())

	pages := 0
	for _, r := range pbx.fake.Requests() {
		if r.Path == "/xapi/v1/ActiveCalls" {
			pages++
			if !strings.Contains(r.Query, "%24count=true") && !strings.Contains(r.Query, "$count=true") {
				t.Errorf("ActiveCalls request %q does not ask $count=true", r.Query)
			}
		}
	}
	if want := (active + 99) / 100; pages != want {
		t.Errorf("ActiveCalls pages = %d, want %d for %d calls", pages, want, active)
	}
}

func TestQueueLiveWaitingStatuses(t *testing.T) {
	demoNow := busyMoment(t, threecxtest.NewServer(threecxtest.DemoDirectory()))
	const routingOnly = queueLiveConfig + `    waiting_statuses: [Routing]
    queues: ["800", "801"]
`
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), routingOnly, demoNow)

	// The expected counts come from the fake's own list of active calls, whose statuses
	// are what this report filters on.
	var want strings.Builder
	for _, q := range pbx.fake.Directory.Queues {
		waiting := 0
		for _, c := range pbx.fake.ActiveCalls(demoNow) {
			number, _, _ := strings.Cut(c.Callee, " ")
			if number == q.Number && c.Status == "Routing" {
				waiting++
			}
		}
		fmt.Fprintf(&want, "threecx_queue_calls_waiting{queue=%q,report=\"live\"} %d\n", q.Number, waiting)
	}
	compareSamples(t, pbx.collector(), want.String(), "threecx_queue_calls_waiting")
}

func TestQueueLiveActiveCallsFailure(t *testing.T) {
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueLiveConfig, scrapeTime)
	caller := "+4930555" + "0199"
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/ActiveCalls" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"value":[{"Id":1,"Caller":%q,"Callee":"800","Status":"Ringing","LastChangeStatus":"yesterday"}]}`, caller)
		return true
	}

	names := seriesNames(t, pbx.collector())
	if slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "threecx_queue_calls_waiting") }) {
		t.Error("calls waiting were reported, though /ActiveCalls failed")
	}
	if got := scrapeValue(t, pbx.collector(), `threecx_report_success{report="live"}`); got != 0 {
		t.Errorf("report success = %v, want 0", got)
	}
	if !strings.Contains(pbx.logs.String(), "ActiveCalls") {
		t.Errorf("the log does not name the failed request:\n%s", pbx.logs.String())
	}
	if strings.Contains(pbx.logs.String(), caller) {
		t.Errorf("the log quotes the caller's number from the response body:\n%s", pbx.logs.String())
	}
}

// BenchmarkQueueLiveScrape scrapes a queue_live report of 100 queues of 10 agents with
// several pages of active calls. The time includes the fake PBX deriving the active calls
// from its call log for each page, which is most of it.
func BenchmarkQueueLiveScrape(b *testing.B) {
	pbx := newPBXAt(b, threecxtest.GeneratedDirectory(1000), queueLiveConfig, scrapeTime)
	b.ReportAllocs()
	for b.Loop() {
		registry := prometheus.NewRegistry()
		registry.MustRegister(pbx.collector())
		if _, err := registry.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
