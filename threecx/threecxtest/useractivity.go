package threecxtest

import (
	"net/http"
	"time"
)

var userActivityParams = []string{
	"clientTimeZone", "periodFrom", "periodTo", "groupNumber", "extensionDns",
	"waitInterval", "includeQueueCalls", "callArea", "groupingType",
}

// userActivityRow is one bucket. Zero counts are left out, as 3CX does.
type userActivityRow struct {
	DateTimeInterval string `json:"DateTimeInterval"`
	AnsweredCount    int    `json:"AnsweredCount,omitempty"`
	UnansweredCount  int    `json:"UnansweredCount,omitempty"`
}

// UserActivityFilter selects the calls of a User Activity request.
type UserActivityFilter struct {
	GroupNumber       string
	ExtensionDN       string
	IncludeQueueCalls bool
	// CallArea is 0 for all calls, 1 for internal and 2 for external ones.
	CallArea int
}

// Matches reports whether the call counts for the filter, apart from group membership.
func (f UserActivityFilter) Matches(c Call) bool {
	if c.Queue != "" && !f.IncludeQueueCalls {
		return false
	}
	switch f.CallArea {
	case 1:
		return !c.External
	case 2:
		return c.External
	}
	return true
}

func (s *Server) serveUserActivity(w http.ResponseWriter, r *http.Request, path string) {
	args, cerr := parseFunctionCall(path, "/ReportUserActivity/Pbx.GetUserActivity", userActivityParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	filter, loc, from, to, cerr := parseUserActivityArgs(args)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	writeCollection(w, r, s.userActivityRows(filter, loc, from, to))
}

func parseUserActivityArgs(args functionArgs) (UserActivityFilter, *time.Location, time.Time, time.Time, *callError) {
	var f UserActivityFilter
	zone, cerr := args.String("clientTimeZone")
	if cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return f, nil, time.Time{}, time.Time{}, badRequest("clientTimeZone: unknown time zone %q", zone)
	}

	from, cerr := args.DateTime("periodFrom")
	if cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	to, cerr := args.DateTime("periodTo")
	if cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}

	if f.GroupNumber, cerr = args.String("groupNumber"); cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	if f.ExtensionDN, cerr = args.String("extensionDns"); cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	if _, cerr = args.TimeSpan("waitInterval"); cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	if f.IncludeQueueCalls, cerr = args.Bool("includeQueueCalls"); cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	if f.CallArea, cerr = args.Int("callArea"); cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	grouping, cerr := args.Int("groupingType")
	if cerr != nil {
		return f, nil, time.Time{}, time.Time{}, cerr
	}
	if grouping != 0 {
		return f, nil, time.Time{}, time.Time{}, badRequest("groupingType: the fake PBX knows only 0 (hour by hour), got %d", grouping)
	}
	return f, loc, from, to, nil
}

// userActivityRows returns one bucket per hour of loc from the hour that holds from up to
// to. Calls after the fake's clock have not happened yet.
func (s *Server) userActivityRows(f UserActivityFilter, loc *time.Location, from, to time.Time) []userActivityRow {
	now := s.Now()
	end := to
	if now.Before(end) {
		end = now
	}

	var numbers []string
	switch {
	case f.ExtensionDN != "":
		if f.GroupNumber == "" || contains(s.Directory.Members(f.GroupNumber), f.ExtensionDN) {
			numbers = []string{f.ExtensionDN}
		}
	case f.GroupNumber == "" || s.Directory.HasGroup(f.GroupNumber):
		numbers = s.Directory.Members(f.GroupNumber)
	}

	var rows []userActivityRow
	index := map[int64]int{}
	for bucket := from.In(loc).Truncate(time.Hour); bucket.Before(to); bucket = bucket.Add(time.Hour) {
		index[bucket.Unix()] = len(rows)
		rows = append(rows, userActivityRow{DateTimeInterval: bucket.In(loc).Format(time.RFC3339)})
	}

	for _, c := range s.Log.Calls(numbers, from, end) {
		if !f.Matches(c) {
			continue
		}
		i, ok := index[c.Start.Truncate(time.Hour).Unix()]
		if !ok {
			continue
		}
		if c.Answered {
			rows[i].AnsweredCount++
		} else {
			rows[i].UnansweredCount++
		}
	}
	return rows
}
