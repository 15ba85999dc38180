package collector

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	queueCallsWaitingDesc = prometheus.NewDesc(
		"threecx_queue_calls_waiting",
		"Active calls waiting in the queue now: calls whose callee is the queue and whose status is one"+
			" of the report's waiting_statuses.",
		[]string{"report", "queue"}, nil)
	queueOldestWaitDesc = prometheus.NewDesc(
		"threecx_queue_oldest_wait_seconds",
		"Time since the last status change of the longest-waiting call in the queue (ActiveCalls"+
			" ServerNow - LastChangeStatus), in seconds; 0 when no call waits.",
		[]string{"report", "queue"}, nil)
	queueAgentsDesc = prometheus.NewDesc(
		"threecx_queue_agents",
		"Agents of the queue by state. logged_in and logged_out follow the user's QueueStatus;"+
			" logged_in agents are also counted in exactly one of on_call (a party of an active call),"+
			" away (presence profile not in available_profiles) and available. unknown counts agents"+
			" without a user or a QueueStatus.",
		[]string{"report", "queue", "state"}, nil)
)

// The agent states of threecx_queue_agents, in the order they are sent.
const (
	agentLoggedIn  = "logged_in"
	agentLoggedOut = "logged_out"
	agentOnCall    = "on_call"
	agentAway      = "away"
	agentAvailable = "available"
	agentUnknown   = "unknown"
)

var agentStates = []string{agentLoggedIn, agentLoggedOut, agentOnCall, agentAway, agentAvailable, agentUnknown}

// Fields and expansions of the queue_live report's requests. The active calls' Caller is
// read only to tell which agents are on a call.
var (
	liveQueueOptions = threecx.QueryOptions{
		Select: []string{"Id", "Number", "Name"},
		Expand: []string{"Agents($select=Number)"},
	}
	liveUserOptions = threecx.QueryOptions{
		Select: []string{"Number", "CurrentProfileName", "QueueStatus"},
	}
)

// queueLiveReport derives the calls waiting in each queue and the state of its agents from
// /Queues with agents, /Users and /ActiveCalls, one paged request each.
type queueLiveReport struct {
	reportName string
	config     *config.Report
}

func (r *queueLiveReport) name() string { return r.reportName }

func (r *queueLiveReport) fetch(s *scrape) (*reportData, error) {
	var (
		queues []threecx.Queue
		users  []threecx.User
		calls  []threecx.ActiveCall
	)
	// A request that did not run keeps errNotFetched, and forEach's error gives the reason.
	errs := []error{errNotFetched, errNotFetched, errNotFetched}
	err := s.forEach(len(errs), func(ctx context.Context, i int) error {
		switch i {
		case 0:
			queues, errs[i] = s.client.Queues(ctx, liveQueueOptions)
		case 1:
			users, errs[i] = s.client.Users(ctx, liveUserOptions)
		case 2:
			calls, errs[i] = s.client.ActiveCalls(ctx, threecx.QueryOptions{})
		}
		return errs[i]
	})

	data := &reportData{}
	queues, selectErr := resolveQueues(data, queues, r.config.Queues, errs[0] == nil)
	if errs[2] == nil {
		r.addWaiting(data, queues, calls, s.now)
	}
	if errs[0] == nil && errs[1] == nil && errs[2] == nil {
		r.addAgents(data, queues, users, calls)
	}
	return data, errors.Join(err, selectErr)
}

var errNotFetched = errors.New("request not made")

func (r *queueLiveReport) addWaiting(data *reportData, queues []threecx.Queue, calls []threecx.ActiveCall, now time.Time) {
	for _, q := range queues {
		waiting := 0
		var oldest time.Duration
		for _, c := range calls {
			if partyNumber(c.Callee) != q.Number || !slices.Contains(r.config.WaitingStatuses, c.Status) {
				continue
			}
			waiting++
			oldest = max(oldest, waitTime(c, now))
		}
		data.metrics = append(data.metrics,
			prometheus.MustNewConstMetric(queueCallsWaitingDesc, prometheus.GaugeValue, float64(waiting), r.reportName, q.Number),
			prometheus.MustNewConstMetric(queueOldestWaitDesc, prometheus.GaugeValue, oldest.Seconds(), r.reportName, q.Number),
		)
	}
}

// waitTime returns how long c has been in its status by the PBX's clock, or by now when
// the PBX sent no ServerNow. The PBX's own clock keeps a skew between the hosts out.
// NOTE: LastChangeStatus restarts when a waiting call moves from Routing to Ringing, so a
// call that did so reads as having waited less than it has.
func waitTime(c threecx.ActiveCall, now time.Time) time.Duration {
	if c.LastChangeStatus == nil {
		return 0
	}
	if c.ServerNow != nil {
		now = *c.ServerNow
	}
	return max(0, now.Sub(*c.LastChangeStatus))
}

// partyNumber returns the number of a party of an active call, the first field of a value
// such as "800 Sales queue" or "101".
// NOTE: 3CX does not document how ActiveCalls writes Caller and Callee. This takes the
// number to come first, before an optional name; check it on a live PBX.
func partyNumber(party string) string {
	number, _, _ := strings.Cut(strings.TrimSpace(party), " ")
	return number
}

func (r *queueLiveReport) addAgents(data *reportData, queues []threecx.Queue, users []threecx.User, calls []threecx.ActiveCall) {
	byNumber := make(map[string]threecx.User, len(users))
	for _, u := range users {
		byNumber[u.Number] = u
	}
	onCall := map[string]bool{}
	for _, c := range calls {
		onCall[partyNumber(c.Caller)] = true
		onCall[partyNumber(c.Callee)] = true
	}

	for _, q := range queues {
		counts := map[string]int{}
		for _, agent := range q.Agents {
			for _, state := range r.agentState(byNumber, onCall, agent.Number) {
				counts[state]++
			}
		}
		for _, state := range agentStates {
			data.metrics = append(data.metrics, prometheus.MustNewConstMetric(queueAgentsDesc,
				prometheus.GaugeValue, float64(counts[state]), r.reportName, q.Number, state))
		}
	}
}

// agentState returns the states an agent counts in: unknown or logged_out alone, or
// logged_in with one of on_call, away and available.
func (r *queueLiveReport) agentState(users map[string]threecx.User, onCall map[string]bool, number string) []string {
	user, ok := users[number]
	switch {
	case !ok:
		return []string{agentUnknown}
	case user.QueueStatus == threecx.QueueStatusLoggedOut:
		return []string{agentLoggedOut}
	case user.QueueStatus != threecx.QueueStatusLoggedIn:
		return []string{agentUnknown}
	case onCall[number]:
		return []string{agentLoggedIn, agentOnCall}
	case !slices.Contains(r.config.AvailableProfiles, user.CurrentProfileName):
		return []string{agentLoggedIn, agentAway}
	}
	return []string{agentLoggedIn, agentAvailable}
}
