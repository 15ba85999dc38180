package collector_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const queueAgentsConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
    time_zone: Europe/Berlin
    max_concurrency: 2
reports:
  agents_today:
    type: queue_agents
    window: today
  agents_support:
    type: queue_agents
    window: 3h
    queues: ["801"]
    wait_interval: 20s
`

const queueAgentHelp = `# HELP threecx_queue_agent_calls Queue calls the agent answered (result="answered") or missed (result="lost") in the report's window, from the Agents in Queue Statistics report. extension is the agent.
# TYPE threecx_queue_agent_calls gauge
# HELP threecx_queue_agent_logged_in_seconds Time the agent was logged into the queue in the report's window, in seconds.
# TYPE threecx_queue_agent_logged_in_seconds gauge
# HELP threecx_queue_agent_ring_seconds Time queue calls rang at the agent in the report's window, in seconds.
# TYPE threecx_queue_agent_ring_seconds gauge
# HELP threecx_queue_agent_talk_seconds Talk time of the agent's queue calls in the report's window, in seconds.
# TYPE threecx_queue_agent_talk_seconds gauge
`

// writeExpectedAgents writes the expected series of every agent of queue in [from,
// scrapeTime), computed from the call log and the directory, and returns how many calls
// they had.
func writeExpectedAgents(t *testing.T, b *strings.Builder, dir threecxtest.Directory, report string, queue threecxtest.Queue, from time.Time) int {
	t.Helper()
	log := threecxtest.CallLog{Directory: &dir}
	total := 0
	for _, agent := range queue.Agents {
		var answered, lost int
		var talk, ring time.Duration
		for _, c := range log.Calls([]string{agent}, from, scrapeTime) {
			if c.Queue != queue.Number {
				continue
			}
			if c.Answered {
				answered++
			} else {
				lost++
			}
			talk += c.Talk
			ring += c.Ring
		}
		// The fake keeps an agent who is logged in now logged in for the whole window, and
		// one who is logged out now logged in from its first queue call to the end of its last.
		var loggedIn time.Duration
		if ext, _ := dir.Extension(agent); ext.QueueLoggedIn {
			loggedIn = scrapeTime.Sub(from)
		} else {
			var first, last time.Time
			for _, c := range log.Calls([]string{agent}, from, scrapeTime) {
				if c.Queue == "" {
					continue
				}
				end := c.Start.Add(c.Ring).Add(c.Talk)
				if first.IsZero() || c.Start.Before(first) {
					first = c.Start
				}
				if end.After(last) {
					last = end
				}
			}
			if last.After(scrapeTime) {
				last = scrapeTime
			}
			if !first.IsZero() {
				loggedIn = last.Sub(first)
			}
		}

		labels := fmt.Sprintf("extension=%q,queue=%q,report=%q", agent, queue.Number, report)
		fmt.Fprintf(b, "threecx_queue_agent_calls{%s,result=\"answered\"} %d\n", labels, answered)
		fmt.Fprintf(b, "threecx_queue_agent_calls{%s,result=\"lost\"} %d\n", labels, lost)
		fmt.Fprintf(b, "threecx_queue_agent_talk_seconds{%s} %v\n", labels, exactSeconds(t, talk))
		fmt.Fprintf(b, "threecx_queue_agent_ring_seconds{%s} %v\n", labels, exactSeconds(t, ring))
		fmt.Fprintf(b, "threecx_queue_agent_logged_in_seconds{%s} %v\n", labels, exactSeconds(t, loggedIn))
		total += answered + lost
	}
	return total
}

func TestQueueAgentsMetrics(t *testing.T) {
	pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
	dir := threecxtest.DemoDirectory()

	var want strings.Builder
	want.WriteString(queueAgentHelp)
	total := 0
	for _, q := range dir.Queues {
		total += writeExpectedAgents(t, &want, dir, "agents_today", q, berlinMidnight(t))
		if q.Number == "801" {
			total += writeExpectedAgents(t, &want, dir, "agents_support", q, scrapeTime.Add(-3*time.Hour))
		}
	}

	if total == 0 {
		t.Fatal("the fake's call log has no queue calls in the windows; pick another scrape time")
	}
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want.String()),
		"threecx_queue_agent_calls", "threecx_queue_agent_talk_seconds",
		"threecx_queue_agent_ring_seconds", "threecx_queue_agent_logged_in_seconds"); err != nil {
		t.Error(err)
	}
}

func TestQueueAgentsIdleAgentLoggedIn(t *testing.T) {
	pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
	values := gather(t, pbx.collector())

	// 105 is logged into queue 801 but gets no calls, which is what an idle-agent alert finds.
	labels := `{extension="105",queue="801",report="agents_support"}`
	if got := values["threecx_queue_agent_calls"+strings.Replace(labels, "}", `,result="answered"}`, 1)]; got != 0 {
		t.Errorf("answered calls of 105 = %v, want 0", got)
	}
	if got, want := values["threecx_queue_agent_logged_in_seconds"+labels], (3 * time.Hour).Seconds(); got != want {
		t.Errorf("logged-in time of 105 = %v, want %v", got, want)
	}
}

func TestQueueAgentsOneQueuePerRequest(t *testing.T) {
	pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
	gather(t, pbx.collector())

	var queues []string
	listings := 0
	for _, r := range pbx.fake.Requests() {
		switch {
		case r.Path == "/xapi/v1/Queues":
			listings++
		case strings.Contains(r.Path, "GetAgentsInQueueStatisticsData"):
			_, rest, _ := strings.Cut(r.Path, "queueDnStr=")
			queue, _, _ := strings.Cut(rest, ",")
			queues = append(queues, queue)
		}
	}
	slices.Sort(queues)
	// agents_today lists the queues, and agents_support requests its one queue.
	want := []string{"'800'", "'801'", "'801'"}
	if !slices.Equal(queues, want) {
		t.Errorf("requested queues %q, want %q", queues, want)
	}
	if listings != 1 {
		t.Errorf("the queues were listed %d times, want once", listings)
	}
}

func TestQueueAgentsQueueNamesFromListing(t *testing.T) {
	pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
	values := gather(t, pbx.collector())

	for _, q := range threecxtest.DemoDirectory().Queues {
		series := fmt.Sprintf("threecx_queue_info{name=%q,queue=%q}", q.Name, q.Number)
		if _, ok := values[series]; !ok {
			t.Errorf("series %s is missing", series)
		}
	}
}

func TestQueueAgentsListingFailure(t *testing.T) {
	pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/Queues" {
			return false
		}
		http.Error(w, "the role lacks the right", http.StatusForbidden)
		return true
	}

	values := gather(t, pbx.collector())
	if got := values[`threecx_report_success{report="agents_today"}`]; got != 0 {
		t.Errorf("agents_today success = %v, want 0", got)
	}
	if got := values[`threecx_report_success{report="agents_support"}`]; got != 1 {
		t.Errorf("agents_support success = %v, want 1, because it names its queue", got)
	}
	if line := logLine(pbx.logs.String(), "report failed"); !strings.Contains(line, "list queues") {
		t.Errorf("log line %q does not say that listing the queues failed", line)
	}
}

func TestQueueAgentsInvalidDuration(t *testing.T) {
	tests := []struct {
		name, field, value string
	}{
		{"talk time with months", "TalkTime", "P1M"},
		{"ring time as a TimeSpan", "RingTime", "0:00:20"},
		{"logged-in time empty", "LoggedInTime", "PT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pbx := newTestPBX(t, queueAgentsConfig, threecxtest.DefaultClientSecret)
			pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.Contains(r.URL.Path, "queueDnStr='800'") {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"value":[{"Dn":"101","AnsweredCount":1,%q:%q}]}`, tt.field, tt.value)
				return true
			}

			values := gather(t, pbx.collector())
			if got := values[`threecx_report_success{report="agents_today"}`]; got != 0 {
				t.Errorf("agents_today success = %v, want 0", got)
			}
			if _, ok := values[`threecx_queue_agent_calls{extension="101",queue="800",report="agents_today",result="answered"}`]; ok {
				t.Error("queue 800 still has series; want none rather than a 0")
			}
			if _, ok := values[`threecx_queue_agent_calls{extension="104",queue="801",report="agents_today",result="answered"}`]; !ok {
				t.Error("queue 801 of the same report lost its series")
			}
			line := logLine(pbx.logs.String(), "report failed")
			for _, part := range []string{tt.field, tt.value} {
				if !strings.Contains(line, part) {
					t.Errorf("log line %q does not contain %q", line, part)
				}
			}
		})
	}
}
