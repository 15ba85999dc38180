package threecx

import (
	"context"
	"fmt"
	"time"
)

// StatisticSLASignature is the queue service level report function, with its parameters
// in the order the PBX expects.
var StatisticSLASignature = Signature{
	EntitySet: "ReportStatisticSla",
	Function:  "GetStatisticSlaData",
	Params: []Param{
		{Name: "queueDnStr", Kind: KindString},
		{Name: "startDt", Kind: KindDateTime},
		{Name: "endDt", Kind: KindDateTime},
		{Name: "waitInterval", Kind: KindString},
	},
}

// DetailedQueueStatisticsSignature is the detailed queue statistics report function.
var DetailedQueueStatisticsSignature = Signature{
	EntitySet: "ReportDetailedQueueStatistics",
	Function:  "GetDetailedQueueStatisticsData",
	Params: []Param{
		{Name: "queueDnStr", Kind: KindString},
		{Name: "startDt", Kind: KindDateTime},
		{Name: "endDt", Kind: KindDateTime},
		{Name: "waitInterval", Kind: KindString},
	},
}

// AbandonedQueueCallsSignature is the abandoned queue calls report function. Unlike the
// other two queue reports it takes the period first.
var AbandonedQueueCallsSignature = Signature{
	EntitySet: "ReportAbandonedQueueCalls",
	Function:  "GetAbandonedQueueCallsData",
	Params: []Param{
		{Name: "periodFrom", Kind: KindDateTime},
		{Name: "periodTo", Kind: KindDateTime},
		{Name: "queueDns", Kind: KindString},
		{Name: "waitInterval", Kind: KindString},
	},
}

// AbandonedQueueCallFields are the fields AbandonedQueueCalls selects. The rows also hold
// the caller's number, which the exporter never reads.
var AbandonedQueueCallFields = []string{"QueueDn", "WaitTime"}

// QueueReportQuery are the parameters of one request of a queue report.
type QueueReportQuery struct {
	// QueueNumber is one queue's number. 3CX returns no rows from some queue reports when
	// given a list or an empty string, so each request names one queue.
	QueueNumber  string
	From, To     time.Time
	WaitInterval time.Duration
}

// StatisticSLA is a row of the service level report. 3CX leaves a count out of the row
// when it is zero, which decodes as 0.
type StatisticSLA struct {
	QueueDnNumber string `json:"QueueDnNumber"`
	Dn            string `json:"Dn"`
	ReceivedCount int64  `json:"ReceivedCount"`
	// NOTE: 3CX does not document what BadSlaCallsCount counts. The name suggests calls
	// that waited longer than the queue's SLA time.
	BadSLACallsCount int64 `json:"BadSlaCallsCount"`
}

// DetailedQueueStatistics is a row of the detailed queue statistics report. Zero counts and
// durations are left out of the row, which decodes as 0 and "".
type DetailedQueueStatistics struct {
	QueueDnNumber  string   `json:"QueueDnNumber"`
	QueueDn        string   `json:"QueueDn"`
	CallsCount     int64    `json:"CallsCount"`
	AnsweredCount  int64    `json:"AnsweredCount"`
	CallbacksCount int64    `json:"CallbacksCount"`
	RingTime       Duration `json:"RingTime"`
	TalkTime       Duration `json:"TalkTime"`
	AvgRingTime    Duration `json:"AvgRingTime"`
	AvgTalkTime    Duration `json:"AvgTalkTime"`
}

// AbandonedQueueCall is a row of the abandoned queue calls report, with the fields in
// AbandonedQueueCallFields.
type AbandonedQueueCall struct {
	QueueDn  string   `json:"QueueDn"`
	WaitTime Duration `json:"WaitTime"`
}

// StatisticSLAPath returns the escaped request path of q for the service level report.
func StatisticSLAPath(q QueueReportQuery) (string, error) {
	return StatisticSLASignature.Path(q.QueueNumber, q.From, q.To, FormatTimeSpan(q.WaitInterval))
}

// DetailedQueueStatisticsPath returns the escaped request path of q for the detailed queue
// statistics report.
func DetailedQueueStatisticsPath(q QueueReportQuery) (string, error) {
	return DetailedQueueStatisticsSignature.Path(q.QueueNumber, q.From, q.To, FormatTimeSpan(q.WaitInterval))
}

// AbandonedQueueCallsPath returns the escaped request path of q for the abandoned queue
// calls report.
func AbandonedQueueCallsPath(q QueueReportQuery) (string, error) {
	return AbandonedQueueCallsSignature.Path(q.From, q.To, q.QueueNumber, FormatTimeSpan(q.WaitInterval))
}

// StatisticSLA fetches the service level report for q.
func (c *Client) StatisticSLA(ctx context.Context, q QueueReportQuery) ([]StatisticSLA, error) {
	path, err := StatisticSLAPath(q)
	if err != nil {
		return nil, err
	}
	return getFunction[StatisticSLA](ctx, c, StatisticSLASignature, path, QueryOptions{})
}

// DetailedQueueStatistics fetches the detailed queue statistics report for q.
func (c *Client) DetailedQueueStatistics(ctx context.Context, q QueueReportQuery) ([]DetailedQueueStatistics, error) {
	path, err := DetailedQueueStatisticsPath(q)
	if err != nil {
		return nil, err
	}
	return getFunction[DetailedQueueStatistics](ctx, c, DetailedQueueStatisticsSignature, path, QueryOptions{})
}

// AbandonedQueueCalls fetches the abandoned queue calls report for q in one request,
// selecting AbandonedQueueCallFields. It sends no $top, because 3CX documents no limit for
// report functions and a function that ignores $skip would make paging loop.
func (c *Client) AbandonedQueueCalls(ctx context.Context, q QueueReportQuery) ([]AbandonedQueueCall, error) {
	path, err := AbandonedQueueCallsPath(q)
	if err != nil {
		return nil, err
	}
	opts := QueryOptions{Select: AbandonedQueueCallFields}
	rows, err := getFunction[AbandonedQueueCall](ctx, c, AbandonedQueueCallsSignature, path, opts)
	return rows, withholdBody(err)
}

// getFunction calls a report function at path and returns the rows of its response. A
// response without a value array fails, so that it does not read as a report without rows.
func getFunction[T any](ctx context.Context, c *Client, sig Signature, path string, opts QueryOptions) ([]T, error) {
	var page struct {
		Value *[]T `json:"value"`
	}
	if err := c.Get(ctx, path, opts, &page); err != nil {
		return nil, fmt.Errorf("%s: %w", sig.Function, err)
	}
	if page.Value == nil {
		return nil, fmt.Errorf("%s: %w", sig.Function, errNoValueArray)
	}
	return *page.Value, nil
}
