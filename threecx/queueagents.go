package threecx

import (
	"context"
	"fmt"
	"time"
)

// AgentsInQueueSignature is the function of the Agents in Queue Statistics report, with its
// parameters in the order the PBX expects.
var AgentsInQueueSignature = Signature{
	EntitySet: "ReportAgentsInQueueStatistics",
	Function:  "GetAgentsInQueueStatisticsData",
	Params: []Param{
		{Name: "queueDnStr", Kind: KindString},
		{Name: "startDt", Kind: KindDateTime},
		{Name: "endDt", Kind: KindDateTime},
		{Name: "waitInterval", Kind: KindString},
	},
}

// AgentsInQueueQuery are the parameters of one Agents in Queue Statistics request. 3CX
// honours one queue number per call: it responds with 404 to an empty QueueNumber and nothing to
// a list of numbers.
type AgentsInQueueQuery struct {
	QueueNumber  string
	From, To     time.Time
	WaitInterval time.Duration
	Options      QueryOptions
}

// AgentInQueueStatistics is the row of one agent of a queue in the Agents in Queue
// Statistics report. 3CX leaves a count or duration out of the row when it is zero, which
// decodes as 0 and as an empty Duration.
type AgentInQueueStatistics struct {
	Dn               string   `json:"Dn"`
	DnDisplayName    string   `json:"DnDisplayName"`
	Queue            string   `json:"Queue"`
	QueueDisplayName string   `json:"QueueDisplayName"`
	AnsweredCount    int64    `json:"AnsweredCount"`
	LostCount        int64    `json:"LostCount"`
	TalkTime         Duration `json:"TalkTime"`
	RingTime         Duration `json:"RingTime"`
	LoggedInTime     Duration `json:"LoggedInTime"`
	AvgTalkTime      Duration `json:"AvgTalkTime"`
	AvgRingTime      Duration `json:"AvgRingTime"`
}

// AgentsInQueuePath returns the escaped request path of q.
func AgentsInQueuePath(q AgentsInQueueQuery) (string, error) {
	return AgentsInQueueSignature.Path(q.QueueNumber, q.From, q.To, FormatTimeSpan(q.WaitInterval))
}

// AgentsInQueue fetches the Agents in Queue Statistics report for q.
func (c *Client) AgentsInQueue(ctx context.Context, q AgentsInQueueQuery) ([]AgentInQueueStatistics, error) {
	if q.QueueNumber == "" {
		return nil, fmt.Errorf("%s: the queue number is empty, which 3CX rejects", AgentsInQueueSignature.Function)
	}
	path, err := AgentsInQueuePath(q)
	if err != nil {
		return nil, err
	}

	return getFunction[AgentInQueueStatistics](ctx, c, AgentsInQueueSignature, path, q.Options)
}
