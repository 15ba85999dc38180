package collector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	queueCallsDesc = prometheus.NewDesc(
		"threecx_queue_calls",
		"Calls of the queue in the report's window: received (ReceivedCount of the SLA report),"+
			" answered (AnsweredCount of the detailed queue statistics) and abandoned (rows of the"+
			" abandoned queue calls report).",
		[]string{"report", "queue", "result"}, nil)
	queueSLABreachedDesc = prometheus.NewDesc(
		"threecx_queue_sla_breached_calls",
		"Calls of the queue in the report's window that the PBX counts as bad for the service level"+
			" (BadSlaCallsCount of the SLA report).",
		[]string{"report", "queue"}, nil)
	queueSLAThresholdDesc = prometheus.NewDesc(
		"threecx_queue_sla_threshold_seconds",
		"The queue's service level time (SLATime of the queue), in seconds.",
		[]string{"report", "queue"}, nil)
	queueCallbacksDesc = prometheus.NewDesc(
		"threecx_queue_callbacks",
		"Callbacks of the queue in the report's window (CallbacksCount of the detailed queue statistics).",
		[]string{"report", "queue"}, nil)
	queueRingTimeDesc = prometheus.NewDesc(
		"threecx_queue_ring_seconds",
		"Total ring time of the queue's calls in the report's window (RingTime of the detailed queue"+
			" statistics), in seconds.",
		[]string{"report", "queue"}, nil)
	queueTalkTimeDesc = prometheus.NewDesc(
		"threecx_queue_talk_seconds",
		"Total talk time of the queue's calls in the report's window (TalkTime of the detailed queue"+
			" statistics), in seconds.",
		[]string{"report", "queue"}, nil)
	queueAbandonedWaitDesc = prometheus.NewDesc(
		"threecx_queue_abandoned_wait_seconds",
		"Sum of the wait times of the queue's abandoned calls in the report's window (WaitTime of the"+
			" abandoned queue calls report), in seconds.",
		[]string{"report", "queue"}, nil)
)

// queueServiceReport makes, for each queue, one request to each of the SLA, detailed queue
// statistics and abandoned queue calls reports, after one paged request for the queues.
type queueServiceReport struct {
	reportName string
	config     *config.Report
	location   *time.Location
}

func (r *queueServiceReport) name() string { return r.reportName }

// queueTotals are the figures of one queue, summed over the rows of its reports. A nil
// part failed.
type queueTotals struct {
	sla       *threecx.StatisticSLA
	detailed  *detailedTotals
	abandoned *abandonedTotals
}

type detailedTotals struct {
	answered, callbacks int64
	ring, talk          time.Duration
}

type abandonedTotals struct {
	calls int64
	wait  time.Duration
}

func (r *queueServiceReport) fetch(s *scrape) (*reportData, error) {
	data := &reportData{}
	queues, queuesErr := fetchQueues(s, data, r.config.Queues, threecx.QueryOptions{})

	for _, q := range queues {
		if q.SLATime != nil {
			data.metrics = append(data.metrics, prometheus.MustNewConstMetric(queueSLAThresholdDesc,
				prometheus.GaugeValue, float64(*q.SLATime), r.reportName, q.Number))
		}
	}

	from, to := r.config.ParsedWindow.Range(s.now, r.location)
	totals := make([]queueTotals, len(queues))
	const requestsPerQueue = 3
	err := s.forEach(requestsPerQueue*len(queues), func(ctx context.Context, i int) error {
		q := threecx.QueueReportQuery{
			QueueNumber:  queues[i/requestsPerQueue].Number,
			From:         from,
			To:           to,
			WaitInterval: time.Duration(r.config.WaitInterval),
		}
		t := &totals[i/requestsPerQueue]
		var err error
		switch i % requestsPerQueue {
		case 0:
			t.sla, err = fetchSLA(ctx, s.client, q)
		case 1:
			t.detailed, err = fetchDetailed(ctx, s.client, q)
		case 2:
			t.abandoned, err = fetchAbandoned(ctx, s.client, q)
		}
		if err != nil {
			return fmt.Errorf("queue %q: %w", q.QueueNumber, err)
		}
		return nil
	})

	for i, q := range queues {
		r.addTotals(data, q.Number, totals[i])
	}
	return data, errors.Join(queuesErr, err)
}

func (r *queueServiceReport) addTotals(data *reportData, queue string, t queueTotals) {
	add := func(desc *prometheus.Desc, value float64, labels ...string) {
		labels = append([]string{r.reportName, queue}, labels...)
		data.metrics = append(data.metrics, prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labels...))
	}

	if t.sla != nil {
		add(queueCallsDesc, float64(t.sla.ReceivedCount), "received")
		add(queueSLABreachedDesc, float64(t.sla.BadSLACallsCount))
	}
	if t.detailed != nil {
		add(queueCallsDesc, float64(t.detailed.answered), "answered")
		add(queueCallbacksDesc, float64(t.detailed.callbacks))
		add(queueRingTimeDesc, t.detailed.ring.Seconds())
		add(queueTalkTimeDesc, t.detailed.talk.Seconds())
	}
	if t.abandoned != nil {
		add(queueCallsDesc, float64(t.abandoned.calls), "abandoned")
		add(queueAbandonedWaitDesc, t.abandoned.wait.Seconds())
	}
}

func fetchSLA(ctx context.Context, client *threecx.Client, q threecx.QueueReportQuery) (*threecx.StatisticSLA, error) {
	rows, err := client.StatisticSLA(ctx, q)
	if err != nil {
		return nil, err
	}
	var sum threecx.StatisticSLA
	for _, row := range rows {
		sum.ReceivedCount += row.ReceivedCount
		sum.BadSLACallsCount += row.BadSLACallsCount
	}
	return &sum, nil
}

func fetchDetailed(ctx context.Context, client *threecx.Client, q threecx.QueueReportQuery) (*detailedTotals, error) {
	rows, err := client.DetailedQueueStatistics(ctx, q)
	if err != nil {
		return nil, err
	}
	var sum detailedTotals
	for _, row := range rows {
		if err := addDuration(&sum.ring, row.RingTime, "RingTime"); err != nil {
			return nil, fmt.Errorf("%s: %w", threecx.DetailedQueueStatisticsSignature.Function, err)
		}
		if err := addDuration(&sum.talk, row.TalkTime, "TalkTime"); err != nil {
			return nil, fmt.Errorf("%s: %w", threecx.DetailedQueueStatisticsSignature.Function, err)
		}
		sum.answered += row.AnsweredCount
		sum.callbacks += row.CallbacksCount
	}
	return &sum, nil
}

func fetchAbandoned(ctx context.Context, client *threecx.Client, q threecx.QueueReportQuery) (*abandonedTotals, error) {
	rows, err := client.AbandonedQueueCalls(ctx, q)
	if err != nil {
		return nil, err
	}
	var sum abandonedTotals
	for _, row := range rows {
		if err := addDuration(&sum.wait, row.WaitTime, "WaitTime"); err != nil {
			return nil, fmt.Errorf("%s: %w", threecx.AbandonedQueueCallsSignature.Function, err)
		}
		sum.calls++
	}
	return &sum, nil
}

// durationOf converts an ISO 8601 duration to a time.Duration rounded to the nanosecond,
// so that sums of many rows add up exactly. field names the row's field for the error.
func durationOf(d threecx.Duration, field string) (time.Duration, error) {
	seconds, err := d.Seconds()
	if err != nil {
		return 0, fmt.Errorf("field %s: %w", field, err)
	}
	if math.Abs(seconds) > math.MaxInt64/float64(time.Second) {
		return 0, fmt.Errorf("field %s: %s is out of range", field, string(d))
	}
	return time.Duration(math.Round(seconds * float64(time.Second))), nil
}

// addDuration adds d to sum, failing when d does not convert or the sum overflows
// time.Duration, which would wrap it around to a negative value.
func addDuration(sum *time.Duration, d threecx.Duration, field string) error {
	value, err := durationOf(d, field)
	if err != nil {
		return err
	}
	total := *sum + value
	if (value > 0 && total < *sum) || (value < 0 && total > *sum) {
		return fmt.Errorf("field %s: the sum with %s exceeds %s", field, string(d), time.Duration(math.MaxInt64))
	}
	*sum = total
	return nil
}

// fetchQueues returns the queues to report on: the configured numbers, or every queue of
// the PBX when none is configured. It reads /Queues with opts for names and SLA times, and
// records the names of the returned queues in data. A configured number that /Queues does
// not list is left out with an error. When /Queues fails, fetchQueues returns the
// configured numbers, without names or SLA times, next to the error.
func fetchQueues(s *scrape, data *reportData, numbers []string, opts threecx.QueryOptions) ([]threecx.Queue, error) {
	var all []threecx.Queue
	err := s.forEach(1, func(ctx context.Context, _ int) error {
		var err error
		all, err = s.client.Queues(ctx, opts)
		return err
	})
	queues, selectErr := resolveQueues(data, all, numbers, err == nil)
	return queues, errors.Join(err, selectErr)
}

// resolveQueues is the part of fetchQueues after the request: all is what /Queues
// returned and fetched whether it worked. The error lists the configured numbers that
// /Queues did not list.
func resolveQueues(data *reportData, all []threecx.Queue, numbers []string, fetched bool) ([]threecx.Queue, error) {
	all = uniqueQueues(all)
	queues := all
	var err error
	if len(numbers) > 0 {
		queues, err = selectQueues(all, numbers, fetched)
	}
	for _, q := range queues {
		data.addName("queue", q.Number, q.Name)
	}
	return queues, err
}

// uniqueQueues returns the queues of all that have a number, each number once, in the
// order /Queues listed them. A queue that moves between two pages while they are read is
// listed twice, and a second entry would give every series of the queue twice.
func uniqueQueues(all []threecx.Queue) []threecx.Queue {
	unique := make([]threecx.Queue, 0, len(all))
	seen := make(map[string]bool, len(all))
	for _, q := range all {
		if q.Number == "" || seen[q.Number] {
			continue
		}
		seen[q.Number] = true
		unique = append(unique, q)
	}
	return unique
}

func selectQueues(all []threecx.Queue, numbers []string, fetched bool) ([]threecx.Queue, error) {
	byNumber := make(map[string]threecx.Queue, len(all))
	for _, q := range all {
		byNumber[q.Number] = q
	}

	queues := make([]threecx.Queue, 0, len(numbers))
	var errs []error
	for _, number := range numbers {
		q, ok := byNumber[number]
		switch {
		case ok:
			queues = append(queues, q)
		case !fetched:
			queues = append(queues, threecx.Queue{Number: number})
		default:
			errs = append(errs, fmt.Errorf("queue %q not found: /Queues does not list it; check the report's queues", number))
		}
	}
	return queues, errors.Join(errs...)
}
