package threecxtest

import (
	"net/http"
	"net/url"
)

// queueRow is a queue as /Queues returns it. PollingTime stands for the many fields the
// exporter does not select. Agents is a navigation property, present only when expanded.
type queueRow struct {
	ID          int32           `json:"Id"`
	Number      string          `json:"Number"`
	Name        string          `json:"Name"`
	SLATime     int32           `json:"SLATime"`
	PollingTime int32           `json:"PollingTime"`
	Agents      []queueAgentRow `json:"Agents"`
}

type queueAgentRow struct {
	ID         int32  `json:"Id"`
	Number     string `json:"Number"`
	Name       string `json:"Name"`
	SkillGroup string `json:"SkillGroup"`
}

// serveQueues serves /Queues. Agents appear only with $expand=Agents, with a nested
// $select when one is given.
func (s *Server) serveQueues(w http.ResponseWriter, r *http.Request) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "malformed query: "+err.Error())
		return
	}
	expanded, err := parseExpand(values.Get("$expand"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	for name := range expanded {
		if name != "Agents" {
			writeError(w, http.StatusBadRequest, "BadRequest",
				"Property '"+name+"' on type 'Pbx.Queue' is not a navigation property or complex property.")
			return
		}
	}
	agentSelect, withAgents := expanded["Agents"]

	// The shared projection handles single navigation properties only, so the queue
	// fields go through it and the agent list is projected here.
	values.Del("$expand")
	var queues []map[string]any
	var agents [][]map[string]any
	for _, q := range s.Directory.Queues {
		row, rowAgents, err := s.projectQueue(q, values.Encode(), agentSelect)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		queues = append(queues, row)
		agents = append(agents, rowAgents)
	}
	if withAgents {
		for i := range queues {
			queues[i]["Agents"] = agents[i]
		}
	}
	writeCollection(w, r, queues)
}

func (s *Server) projectQueue(q Queue, rawQuery string, agentSelect []string) (map[string]any, []map[string]any, error) {
	row := queueRow{ID: entityID(q.Number), Number: q.Number, Name: q.Name, SLATime: int32(q.SLATime), PollingTime: 20}
	projected, err := projectRows(rawQuery, "Pbx.Queue", []queueRow{row}, []string{"Agents"})
	if err != nil {
		return nil, nil, err
	}

	agentRows := make([]queueAgentRow, 0, len(q.Agents))
	for _, number := range q.Agents {
		ext, _ := s.Directory.Extension(number)
		agentRows = append(agentRows, queueAgentRow{ID: entityID(number), Number: number, Name: ext.Name, SkillGroup: "1"})
	}
	agents := make([]map[string]any, 0, len(agentRows))
	for _, a := range agentRows {
		m, err := toMap(a)
		if err != nil {
			return nil, nil, err
		}
		p, err := project(m, "Pbx.QueueAgent", agentSelect, nil, nil)
		if err != nil {
			return nil, nil, err
		}
		agents = append(agents, p)
	}
	return projected[0], agents, nil
}

// entityID derives a stable entity ID from a number.
func entityID(number string) int32 {
	var id int32
	for _, c := range number {
		id = id*31 + c
	}
	return id & 0x7fffffff
}
