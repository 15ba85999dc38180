package threecxtest

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"time"
)

// maxActiveCallsRows is the most rows /ActiveCalls returns to one request, whatever $top
// requests, as a real PBX does.
const maxActiveCallsRows = 100

// ActiveCall is a call in progress on the fake PBX, derived from the call log.
type ActiveCall struct {
	ID     int32
	Caller string
	Callee string
	// Status is Routing or Ringing while a call waits, and Talking once answered.
	Status           string
	LastChangeStatus time.Time
	EstablishedAt    time.Time
}

type activeCallRow struct {
	ID               int32     `json:"Id"`
	Caller           string    `json:"Caller"`
	Callee           string    `json:"Callee"`
	Status           string    `json:"Status"`
	LastChangeStatus time.Time `json:"LastChangeStatus"`
	EstablishedAt    time.Time `json:"EstablishedAt"`
	ServerNow        time.Time `json:"ServerNow"`
}

// ActiveCalls returns the calls of the call log in progress at now, in order of start. A
// call rings for Ring and then, when answered, talks for Talk. While it rings, a queue call
// has the queue as its callee and Status Routing or Ringing; once answered, the extension
// that took it is the callee. Parties are written as "number name", and outside numbers as
// they are.
func (s *Server) ActiveCalls(now time.Time) []ActiveCall {
	// No call in the log lasts longer than its ring and talk time, which stay under an hour.
	calls := s.Log.AllCalls(now.Add(-time.Hour), now.Add(time.Nanosecond))

	var active []ActiveCall
	for _, c := range calls {
		answeredAt := c.Start.Add(c.Ring)
		end := answeredAt.Add(c.Talk)
		if now.Before(c.Start) || !now.Before(end) {
			continue
		}

		call := ActiveCall{ID: activeCallID(c), EstablishedAt: c.Start, LastChangeStatus: c.Start}
		extension := s.partyName(c.Extension)
		ringing := now.Before(answeredAt)
		switch {
		case ringing && c.Queue != "":
			call.Status = queueWaitStatus(c)
			call.Caller, call.Callee = c.Caller, s.queueParty(c.Queue)
		case ringing:
			call.Status = "Ringing"
		default:
			call.Status = "Talking"
			call.LastChangeStatus = answeredAt
		}
		if call.Callee == "" {
			call.Caller, call.Callee = c.Caller, extension
			if !c.Inbound {
				call.Caller, call.Callee = extension, c.Caller
			}
		}
		active = append(active, call)
	}
	return active
}

// queueWaitStatus splits waiting queue calls between the two states a call can wait in.
func queueWaitStatus(c Call) string {
	if c.Ring/time.Second%2 == 0 {
		return "Routing"
	}
	return "Ringing"
}

func activeCallID(c Call) int32 {
	h := fnv.New32a()
	h.Write([]byte(c.Extension + "/" + c.Start.Format(time.RFC3339Nano)))
	return int32(h.Sum32() & 0x7fffffff)
}

func (s *Server) partyName(number string) string {
	if e, ok := s.Directory.Extension(number); ok {
		return e.Number + " " + e.Name
	}
	return number
}

func (s *Server) queueParty(number string) string {
	for _, q := range s.Directory.Queues {
		if q.Number == number {
			return q.Number + " " + q.Name
		}
	}
	return number
}

func (s *Server) serveActiveCalls(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	calls := s.ActiveCalls(now)
	rows := make([]activeCallRow, 0, len(calls))
	for _, c := range calls {
		rows = append(rows, activeCallRow{
			ID: c.ID, Caller: c.Caller, Callee: c.Callee, Status: c.Status,
			LastChangeStatus: c.LastChangeStatus.UTC(), EstablishedAt: c.EstablishedAt.UTC(), ServerNow: now.UTC(),
		})
	}

	projected, err := projectRows(r.URL.RawQuery, "Pbx.ActiveCall", rows, nil)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	writeCappedCollection(w, r, projected, maxActiveCallsRows)
}

// writeCappedCollection writes a collection like writeCollection but returns at most limit rows, and
// @odata.count still counts every row.
func writeCappedCollection[T any](w http.ResponseWriter, r *http.Request, rows []T, limit int) {
	opts, err := parseQueryOptions(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}

	count := len(rows)
	rows = rows[min(opts.skip, len(rows)):]
	top := limit
	if opts.top >= 0 {
		top = min(opts.top, limit)
	}
	rows = rows[:min(top, len(rows))]

	body := map[string]any{"value": rows}
	if opts.count {
		body["@odata.count"] = count
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true")
	json.NewEncoder(w).Encode(body)
}
