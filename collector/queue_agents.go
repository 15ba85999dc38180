package collector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	queueAgentCallsDesc = prometheus.NewDesc(
		"threecx_queue_agent_calls",
		"Queue calls the agent answered (result=\"answered\") or missed (result=\"lost\") in the"+
			" report's window, from the Agents in Queue Statistics report. extension is the agent.",
		[]string{"report", "queue", "extension", "result"}, nil)
	queueAgentTalkDesc = prometheus.NewDesc(
		"threecx_queue_agent_talk_seconds",
		"Talk time of the agent's queue calls in the report's window, in seconds.",
		[]string{"report", "queue", "extension"}, nil)
	queueAgentRingDesc = prometheus.NewDesc(
		"threecx_queue_agent_ring_seconds",
		"Time queue calls rang at the agent in the report's window, in seconds.",
		[]string{"report", "queue", "extension"}, nil)
	queueAgentLoggedInDesc = prometheus.NewDesc(
		"threecx_queue_agent_logged_in_seconds",
		"Time the agent was logged into the queue in the report's window, in seconds.",
		[]string{"report", "queue", "extension"}, nil)
)

// queueAgentsReport makes one GetAgentsInQueueStatisticsData request per queue, because
// 3CX honours one queue number per call. Without configured queues it lists every queue
// of the PBX first.
type queueAgentsReport struct {
	reportName string
	config     *config.Report
	location   *time.Location
}

func (r *queueAgentsReport) name() string { return r.reportName }

// agentTotals are the figures of one agent in one queue.
type agentTotals struct {
	name                 string
	answered, lost       int64
	talk, ring, loggedIn float64
}

// queueAgentsResult holds the figures of one queue's request.
type queueAgentsResult struct {
	// queueName is the queue's display name as the rows give it.
	queueName string
	agents    map[string]*agentTotals
}

func (r *queueAgentsReport) fetch(s *scrape) (*reportData, error) {
	data := &reportData{}
	queues, err := r.queues(s, data)
	if err != nil {
		return data, err
	}

	from, to := r.config.ParsedWindow.Range(s.now, r.location)
	results := make([]*queueAgentsResult, len(queues))
	err = s.forEach(len(queues), func(ctx context.Context, i int) error {
		rows, err := s.client.AgentsInQueue(ctx, threecx.AgentsInQueueQuery{
			QueueNumber:  queues[i],
			From:         from,
			To:           to,
			WaitInterval: time.Duration(r.config.WaitInterval),
			Options:      queryOptions(r.config.Options),
		})
		if err == nil {
			results[i], err = sumAgentRows(rows)
		}
		if err != nil {
			return fmt.Errorf("agents in queue %q: %w", queues[i], err)
		}
		return nil
	})

	for i, queue := range queues {
		if results[i] == nil {
			continue
		}
		data.addName("queue", queue, results[i].queueName)
		for _, number := range sortedKeys(results[i].agents) {
			r.addAgent(data, queue, number, results[i].agents[number])
		}
	}
	return data, err
}

// queues returns the configured queues, or the number of every queue of the PBX, whose
// names it records in data.
func (r *queueAgentsReport) queues(s *scrape, data *reportData) ([]string, error) {
	if len(r.config.Queues) > 0 {
		return r.config.Queues, nil
	}

	var listed []threecx.Queue
	err := s.forEach(1, func(ctx context.Context, _ int) error {
		var err error
		listed, err = s.client.Queues(ctx, threecx.QueryOptions{Select: []string{"Number", "Name"}})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}

	unique := uniqueQueues(listed)
	numbers := make([]string, 0, len(unique))
	for _, q := range unique {
		numbers = append(numbers, q.Number)
		data.addName("queue", q.Number, q.Name)
	}
	return numbers, nil
}

// sumAgentRows adds up the rows by agent, so that an agent listed twice in one response
// gives one series. It fails on the first duration that does not parse.
func sumAgentRows(rows []threecx.AgentInQueueStatistics) (*queueAgentsResult, error) {
	result := &queueAgentsResult{agents: map[string]*agentTotals{}}
	for _, row := range rows {
		if row.Dn == "" {
			return nil, errors.New("a row is missing its Dn")
		}
		talk, err := durationSeconds("TalkTime", row.Dn, row.TalkTime)
		if err != nil {
			return nil, err
		}
		ring, err := durationSeconds("RingTime", row.Dn, row.RingTime)
		if err != nil {
			return nil, err
		}
		loggedIn, err := durationSeconds("LoggedInTime", row.Dn, row.LoggedInTime)
		if err != nil {
			return nil, err
		}

		t := result.agents[row.Dn]
		if t == nil {
			t = &agentTotals{}
			result.agents[row.Dn] = t
		}
		t.name = row.DnDisplayName
		t.answered += row.AnsweredCount
		t.lost += row.LostCount
		t.talk += talk
		t.ring += ring
		t.loggedIn += loggedIn
		if row.QueueDisplayName != "" {
			result.queueName = row.QueueDisplayName
		}
	}
	return result, nil
}

func (r *queueAgentsReport) addAgent(data *reportData, queue, number string, t *agentTotals) {
	gauge := func(desc *prometheus.Desc, value float64, extraLabels ...string) prometheus.Metric {
		labels := append([]string{r.reportName, queue, number}, extraLabels...)
		return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labels...)
	}
	data.metrics = append(data.metrics,
		gauge(queueAgentCallsDesc, float64(t.answered), "answered"),
		gauge(queueAgentCallsDesc, float64(t.lost), "lost"),
		gauge(queueAgentTalkDesc, t.talk),
		gauge(queueAgentRingDesc, t.ring),
		gauge(queueAgentLoggedInDesc, t.loggedIn),
	)
	data.addName("extension", number, t.name)
}
