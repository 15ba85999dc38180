package threecxtest

import (
	"net/http"
	"time"
)

var agentsInQueueParams = []string{"queueDnStr", "startDt", "endDt", "waitInterval"}

// agentInQueueRow is one agent's row. Zero counts and durations are left out, as 3CX does.
type agentInQueueRow struct {
	Dn                   string `json:"Dn"`
	DnDisplayName        string `json:"DnDisplayName"`
	Queue                string `json:"Queue"`
	QueueDisplayName     string `json:"QueueDisplayName"`
	AnsweredCount        int64  `json:"AnsweredCount,omitempty"`
	LostCount            int64  `json:"LostCount,omitempty"`
	AnsweredPercent      int32  `json:"AnsweredPercent,omitempty"`
	AnsweredPerHourCount int64  `json:"AnsweredPerHourCount,omitempty"`
	TalkTime             string `json:"TalkTime,omitempty"`
	AvgTalkTime          string `json:"AvgTalkTime,omitempty"`
	RingTime             string `json:"RingTime,omitempty"`
	AvgRingTime          string `json:"AvgRingTime,omitempty"`
	LoggedInTime         string `json:"LoggedInTime,omitempty"`
}

// AgentLoggedInTime returns how long the agent with the number was logged into queues in
// [from, to), up to the fake's clock. The fake keeps an agent that is logged in now logged
// in for the whole period. One that is logged out now was logged in from the start of its
// first queue call in the period to the end of its last, and not at all without one.
func (s *Server) AgentLoggedInTime(number string, from, to time.Time) time.Duration {
	ext, ok := s.Directory.Extension(number)
	if !ok {
		return 0
	}
	if now := s.Now(); now.Before(to) {
		to = now
	}
	if ext.QueueLoggedIn {
		return max(0, to.Sub(from))
	}

	var first, last time.Time
	for _, c := range s.Log.Calls([]string{number}, from, to) {
		if c.Queue == "" {
			continue
		}
		if first.IsZero() {
			first = c.Start
		}
		if end := c.Start.Add(c.Ring + c.Talk); end.After(last) {
			last = end
		}
	}
	if first.IsZero() {
		return 0
	}
	if last.After(to) {
		last = to
	}
	return last.Sub(first)
}

// serveAgentsInQueue serves the Agents in Queue Statistics report with one row per agent
// of the queue, also for agents without calls. The queue report helper rejects an empty
// queue number with 404, as 3CX does. It also rejects a list of numbers, which 3CX answers
// with an empty list, so that a request for two queues cannot pass unnoticed.
func (s *Server) serveAgentsInQueue(w http.ResponseWriter, r *http.Request, path string) {
	number, from, to, _, cerr := parseQueueReportCall(path,
		"/ReportAgentsInQueueStatistics/Pbx.GetAgentsInQueueStatisticsData", agentsInQueueParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	writeProjected(w, r, "Pbx.AgentsInQueueStatistics", s.agentsInQueueRows(number, from, to), nil)
}

// agentsInQueueRows counts every call that came through the queue for the agent that took
// or missed it: an answered call is answered and a missed one lost, and the ring time of
// both adds up. The fake ignores waitInterval for this report.
func (s *Server) agentsInQueueRows(number string, from, to time.Time) []agentInQueueRow {
	queue, ok := findQueue(s.Directory.Queues, number)
	if !ok {
		return []agentInQueueRow{}
	}

	type totals struct {
		answered, lost int64
		talk, ring     time.Duration
	}
	byAgent := map[string]*totals{}
	for _, c := range s.QueueCalls(number, from, to) {
		t := byAgent[c.Extension]
		if t == nil {
			t = &totals{}
			byAgent[c.Extension] = t
		}
		if c.Answered {
			t.answered++
			t.talk += c.Talk
		} else {
			t.lost++
		}
		t.ring += c.Ring
	}

	rows := []agentInQueueRow{}
	for _, agent := range queue.Agents {
		ext, _ := s.Directory.Extension(agent)
		row := agentInQueueRow{
			Dn: agent, DnDisplayName: ext.Name, Queue: queue.Number, QueueDisplayName: queue.Name,
			LoggedInTime: formatNonZeroDuration(s.AgentLoggedInTime(agent, from, to)),
		}
		if t := byAgent[agent]; t != nil {
			row.AnsweredCount, row.LostCount = t.answered, t.lost
			row.TalkTime = formatNonZeroDuration(t.talk)
			row.RingTime = formatNonZeroDuration(t.ring)
			if t.answered > 0 {
				row.AvgTalkTime = formatNonZeroDuration(t.talk / time.Duration(t.answered))
			}
			if calls := t.answered + t.lost; calls > 0 {
				row.AvgRingTime = formatNonZeroDuration(t.ring / time.Duration(calls))
				row.AnsweredPercent = int32(100 * t.answered / calls)
			}
		}
		rows = append(rows, row)
	}
	return rows
}
