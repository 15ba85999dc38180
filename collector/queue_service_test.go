package collector_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const queueServiceConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
reports:
  sla:
    type: queue_service
    window: today
    wait_interval: 5s
`

// queueFigures are the figures of one queue over a window, computed from the call log.
type queueFigures struct {
	received, breached, answered, callbacks, abandoned int
	ring, talk, abandonedWait                          time.Duration
}

// computeQueueFigures counts the calls that came through queue q and started in
// [from, to). A call breaches the SLA when it rang longer than the queue's SLA time, and
// it is abandoned when no agent answered it after it waited at least wait.
func computeQueueFigures(log threecxtest.CallLog, q threecxtest.Queue, from, to time.Time, wait time.Duration) queueFigures {
	var f queueFigures
	for _, c := range log.Calls(q.Agents, from, to) {
		if c.Queue != q.Number {
			continue
		}
		f.received++
		f.ring += c.Ring
		if c.Ring > time.Duration(q.SLATime)*time.Second {
			f.breached++
		}
		if c.Callback {
			f.callbacks++
		}
		if c.Answered {
			f.answered++
			f.talk += c.Talk
		} else if c.Ring >= wait {
			f.abandoned++
			f.abandonedWait += c.Ring
		}
	}
	return f
}

func expectedQueueService(d threecxtest.Directory, log threecxtest.CallLog, from, to time.Time, wait time.Duration) string {
	var b strings.Builder
	for _, q := range d.Queues {
		f := computeQueueFigures(log, q, from, to, wait)
		line := func(name string, value any, result string) {
			labels := fmt.Sprintf("queue=%q,report=\"sla\"", q.Number)
			if result != "" {
				labels += fmt.Sprintf(",result=%q", result)
			}
			fmt.Fprintf(&b, "%s{%s} %v\n", name, labels, value)
		}
		line("threecx_queue_calls", f.received, "received")
		line("threecx_queue_calls", f.answered, "answered")
		line("threecx_queue_calls", f.abandoned, "abandoned")
		line("threecx_queue_sla_breached_calls", f.breached, "")
		line("threecx_queue_sla_threshold_seconds", q.SLATime, "")
		line("threecx_queue_callbacks", f.callbacks, "")
		line("threecx_queue_ring_seconds", f.ring.Seconds(), "")
		line("threecx_queue_talk_seconds", f.talk.Seconds(), "")
		line("threecx_queue_abandoned_wait_seconds", f.abandonedWait.Seconds(), "")
		fmt.Fprintf(&b, "threecx_queue_info{name=%q,queue=%q} 1\n", q.Name, q.Number)
	}
	return b.String()
}

var queueServiceMetrics = []string{
	"threecx_queue_calls", "threecx_queue_sla_breached_calls", "threecx_queue_sla_threshold_seconds",
	"threecx_queue_callbacks", "threecx_queue_ring_seconds", "threecx_queue_talk_seconds",
	"threecx_queue_abandoned_wait_seconds", "threecx_queue_info",
}

func TestQueueServiceMetrics(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := scrapeTime.In(berlin)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin)

	tests := []struct {
		name   string
		config string
		dir    threecxtest.Directory
		from   time.Time
		wait   time.Duration
	}{
		{"today with wait interval", queueServiceConfig, threecxtest.DemoDirectory(), midnight, 5 * time.Second},
		{"last two hours", strings.Replace(strings.Replace(queueServiceConfig, "window: today", "window: 2h", 1),
			"wait_interval: 5s", "wait_interval: 0s", 1), threecxtest.DemoDirectory(), scrapeTime.Add(-2 * time.Hour), 0},
		{"generated directory", queueServiceConfig, threecxtest.GeneratedDirectory(100), midnight, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pbx := newPBXAt(t, tt.dir, tt.config, scrapeTime)
			want := expectedQueueService(pbx.fake.Directory, pbx.fake.Log, tt.from, scrapeTime, tt.wait)
			compareSamples(t, pbx.collector(), want, queueServiceMetrics...)
		})
	}
}

func TestQueueServiceRequestsPerQueue(t *testing.T) {
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueServiceConfig, scrapeTime)
	gather(t, pbx.collector())

	functions := []string{
		"/ReportStatisticSla/Pbx.GetStatisticSlaData(",
		"/ReportDetailedQueueStatistics/Pbx.GetDetailedQueueStatisticsData(",
		"/ReportAbandonedQueueCalls/Pbx.GetAbandonedQueueCallsData(",
	}
	for _, function := range functions {
		for _, q := range pbx.fake.Directory.Queues {
			t.Run(function+q.Number, func(t *testing.T) {
				n := 0
				for _, r := range pbx.fake.Requests() {
					if strings.Contains(r.Path, function) && strings.Contains(r.Path, "'"+q.Number+"'") {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d requests, want one", n)
				}
			})
		}
	}
}

func TestQueueServiceConfiguredQueues(t *testing.T) {
	const oneQueue = queueServiceConfig + `    queues: ["801", "899"]
`
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), oneQueue, scrapeTime)
	values := gather(t, pbx.collector())

	if _, ok := values[`threecx_queue_calls{queue="801",report="sla",result="received"}`]; !ok {
		t.Error("the configured queue 801 has no series")
	}
	if _, ok := values[`threecx_queue_calls{queue="800",report="sla",result="received"}`]; ok {
		t.Error("queue 800 has a series, though the report lists only 801 and 899")
	}
	if got := values[`threecx_report_success{report="sla"}`]; got != 0 {
		t.Errorf("report success = %v, want 0 for the unknown queue 899", got)
	}
	if !strings.Contains(pbx.logs.String(), `queue \"899\" not found`) {
		t.Errorf("the log does not name the unknown queue:\n%s", pbx.logs.String())
	}
}

func TestQueueServiceFailureKeepsOtherQueues(t *testing.T) {
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueServiceConfig, scrapeTime)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.EscapedPath(), "GetStatisticSlaData(queueDnStr='800'") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":"Forbidden","message":"Access denied"}}`)
		return true
	}
	values := gather(t, pbx.collector())

	if _, ok := values[`threecx_queue_calls{queue="800",report="sla",result="received"}`]; ok {
		t.Error("queue 800 has a received series, though its SLA request failed")
	}
	if _, ok := values[`threecx_queue_calls{queue="800",report="sla",result="answered"}`]; !ok {
		t.Error("queue 800 lost its answered series, which another request provides")
	}
	if _, ok := values[`threecx_queue_calls{queue="801",report="sla",result="received"}`]; !ok {
		t.Error("queue 801 lost its received series")
	}
	logs := pbx.logs.String()
	for _, want := range []string{"report=sla", `queue \"800\"`, "GetStatisticSlaData", "role lacks the right"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not contain %s:\n%s", want, logs)
		}
	}
}
