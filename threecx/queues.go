package threecx

import (
	"context"
	"slices"
)

// QueuesPath is the path of the queue collection.
const QueuesPath = "/Queues"

// QueuesPageSize is the $top of each page of queues.
const QueuesPageSize = 100

// QueueFields are the fields Queues selects when the options select none.
var QueueFields = []string{"Id", "Number", "Name", "SLATime"}

// Queue is a call queue.
type Queue struct {
	ID     int32  `json:"Id"`
	Number string `json:"Number"`
	Name   string `json:"Name"`
	// SLATime is the queue's service level target in seconds, or nil when not set.
	SLATime *int32 `json:"SLATime"`
	// Agents are filled in only when the request expands Agents.
	Agents []QueueAgent `json:"Agents"`
}

// QueueAgent is an extension that is an agent of a queue.
type QueueAgent struct {
	ID         int32  `json:"Id"`
	Number     string `json:"Number"`
	Name       string `json:"Name"`
	SkillGroup string `json:"SkillGroup"`
}

// Queues fetches every queue, page by page. Without a $select in opts it selects
// QueueFields. Set opts.Expand to []string{"Agents"} to fetch each queue's agents too.
func (c *Client) Queues(ctx context.Context, opts QueryOptions) ([]Queue, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(QueueFields)
	}
	return GetAll[Queue](ctx, c, QueuesPath, opts, QueuesPageSize)
}
