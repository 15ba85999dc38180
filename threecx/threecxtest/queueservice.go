package threecxtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

var (
	statisticSLAParams      = []string{"queueDnStr", "startDt", "endDt", "waitInterval"}
	abandonedQueueCallsArgs = []string{"periodFrom", "periodTo", "queueDns", "waitInterval"}
)

// slaRow is a row of GetStatisticSlaData. Zero counts are left out, as 3CX does.
type slaRow struct {
	QueueDnNumber    string `json:"QueueDnNumber"`
	Dn               string `json:"Dn"`
	ReceivedCount    int64  `json:"ReceivedCount,omitempty"`
	BadSlaCallsCount int64  `json:"BadSlaCallsCount,omitempty"`
}

// detailedQueueRow is a row of GetDetailedQueueStatisticsData. Zero counts and durations
// are left out, as 3CX does.
type detailedQueueRow struct {
	QueueDnNumber  string `json:"QueueDnNumber"`
	QueueDn        string `json:"QueueDn"`
	CallsCount     int64  `json:"CallsCount,omitempty"`
	AnsweredCount  int64  `json:"AnsweredCount,omitempty"`
	CallbacksCount int64  `json:"CallbacksCount,omitempty"`
	RingTime       string `json:"RingTime,omitempty"`
	TalkTime       string `json:"TalkTime,omitempty"`
	AvgRingTime    string `json:"AvgRingTime,omitempty"`
	AvgTalkTime    string `json:"AvgTalkTime,omitempty"`
}

// abandonedQueueRow is a row of GetAbandonedQueueCallsData. It carries the caller's
// number, as the real report does, so that a test can check the exporter drops it.
type abandonedQueueRow struct {
	CallerID     string    `json:"CallerId"`
	CallTime     time.Time `json:"CallTime"`
	QueueDn      string    `json:"QueueDn"`
	ExtensionDn  string    `json:"ExtensionDn"`
	WaitTime     string    `json:"WaitTime"`
	PollingCount int64     `json:"PollingAttempts,omitempty"`
}

// QueueCalls returns the calls that came through queue number and started in [from, to),
// up to the fake's clock.
func (s *Server) QueueCalls(number string, from, to time.Time) []Call {
	queue, ok := findQueue(s.Directory.Queues, number)
	if !ok {
		return nil
	}
	if now := s.Now(); now.Before(to) {
		to = now
	}

	var calls []Call
	for _, c := range s.Log.Calls(queue.Agents, from, to) {
		if c.Queue == number {
			calls = append(calls, c)
		}
	}
	return calls
}

// AbandonedQueueCalls returns the queue calls in [from, to) that no agent answered and
// that waited at least waitInterval, which is what the fake takes the report's
// waitInterval to mean.
func (s *Server) AbandonedQueueCalls(number string, from, to time.Time, waitInterval time.Duration) []Call {
	var abandoned []Call
	for _, c := range s.QueueCalls(number, from, to) {
		if !c.Answered && c.Ring >= waitInterval {
			abandoned = append(abandoned, c)
		}
	}
	return abandoned
}

func (s *Server) serveStatisticSLA(w http.ResponseWriter, r *http.Request, path string) {
	number, from, to, _, cerr := parseQueueReportCall(path, "/ReportStatisticSla/Pbx.GetStatisticSlaData", statisticSLAParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	queue, ok := findQueue(s.Directory.Queues, number)
	if !ok {
		writeCollection(w, r, []slaRow{})
		return
	}
	row := slaRow{QueueDnNumber: queue.Number, Dn: queue.Name}
	for _, c := range s.QueueCalls(number, from, to) {
		row.ReceivedCount++
		if queue.SLATime > 0 && c.Ring > time.Duration(queue.SLATime)*time.Second {
			row.BadSlaCallsCount++
		}
	}
	writeCollection(w, r, []slaRow{row})
}

func (s *Server) serveDetailedQueueStatistics(w http.ResponseWriter, r *http.Request, path string) {
	number, from, to, _, cerr := parseQueueReportCall(path,
		"/ReportDetailedQueueStatistics/Pbx.GetDetailedQueueStatisticsData", statisticSLAParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	queue, ok := findQueue(s.Directory.Queues, number)
	if !ok {
		writeCollection(w, r, []detailedQueueRow{})
		return
	}
	var ring, talk time.Duration
	row := detailedQueueRow{QueueDnNumber: queue.Number, QueueDn: queue.Name}
	for _, c := range s.QueueCalls(number, from, to) {
		row.CallsCount++
		ring += c.Ring
		if c.Answered {
			row.AnsweredCount++
			talk += c.Talk
		}
		if c.Callback {
			row.CallbacksCount++
		}
	}
	if ring > 0 {
		row.RingTime = formatISODuration(ring)
	}
	if talk > 0 {
		row.TalkTime = formatISODuration(talk)
	}
	if row.CallsCount > 0 {
		row.AvgRingTime = formatISODuration(ring / time.Duration(row.CallsCount))
	}
	if row.AnsweredCount > 0 {
		row.AvgTalkTime = formatISODuration(talk / time.Duration(row.AnsweredCount))
	}
	writeCollection(w, r, []detailedQueueRow{row})
}

func (s *Server) serveAbandonedQueueCalls(w http.ResponseWriter, r *http.Request, path string) {
	args, cerr := parseFunctionCall(path, "/ReportAbandonedQueueCalls/Pbx.GetAbandonedQueueCallsData", abandonedQueueCallsArgs)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}
	number, from, to, wait, cerr := queueReportArgs(args, "queueDns", "periodFrom", "periodTo")
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	rows := []abandonedQueueRow{}
	for _, c := range s.AbandonedQueueCalls(number, from, to, wait) {
		rows = append(rows, abandonedQueueRow{
			CallerID: c.Caller, CallTime: c.Start.UTC(), QueueDn: number,
			ExtensionDn: c.Extension, WaitTime: formatISODuration(c.Ring), PollingCount: 1,
		})
	}
	writeProjected(w, r, "Pbx.AbandonedQueueCalls", rows, nil)
}

func parseQueueReportCall(path, prefix string, params []string) (string, time.Time, time.Time, time.Duration, *callError) {
	args, cerr := parseFunctionCall(path, prefix, params)
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	return queueReportArgs(args, "queueDnStr", "startDt", "endDt")
}

// queueReportArgs reads the queue number, period and wait interval of a queue report. Like
// other queue reports of 3CX, it responds with 404 to an empty queue number.
func queueReportArgs(args functionArgs, queueParam, fromParam, toParam string) (string, time.Time, time.Time, time.Duration, *callError) {
	number, cerr := args.String(queueParam)
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	if number == "" || strings.Contains(number, ",") {
		return "", time.Time{}, time.Time{}, 0, notFound("%s: the fake PBX wants one queue number, got %q", queueParam, number)
	}
	from, cerr := args.DateTime(fromParam)
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	to, cerr := args.DateTime(toParam)
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	wait, cerr := args.TimeSpan("waitInterval")
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	return number, from, to, wait, nil
}

// formatISODuration writes d as 3CX writes durations, such as "PT0S", "PT31.015254S" or
// "P1DT2H3M4S", with at most microseconds.
func formatISODuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	d = d.Truncate(time.Microsecond)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	hours := d / time.Hour
	d -= hours * time.Hour
	minutes := d / time.Minute
	d -= minutes * time.Minute

	var b strings.Builder
	b.WriteString("P")
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if hours == 0 && minutes == 0 && d == 0 {
		return b.String()
	}
	b.WriteString("T")
	if hours > 0 {
		fmt.Fprintf(&b, "%dH", hours)
	}
	if minutes > 0 {
		fmt.Fprintf(&b, "%dM", minutes)
	}
	if d > 0 {
		seconds := fmt.Sprintf("%d.%06d", d/time.Second, d%time.Second/time.Microsecond)
		fmt.Fprintf(&b, "%sS", strings.TrimRight(strings.TrimRight(seconds, "0"), "."))
	}
	return b.String()
}

func findQueue(queues []Queue, number string) (Queue, bool) {
	for _, q := range queues {
		if q.Number == number {
			return q, true
		}
	}
	return Queue{}, false
}
