package threecxtest

import (
	"net/http"
	"time"
)

var extensionStatisticsParams = []string{"groupNumber", "periodFrom", "periodTo", "callArea"}

// extensionStatisticsRow is one extension's row. Zero counts and durations are left out,
// as 3CX does.
type extensionStatisticsRow struct {
	Dn                         string `json:"Dn"`
	DisplayName                string `json:"DisplayName"`
	InboundAnsweredCount       int64  `json:"InboundAnsweredCount,omitempty"`
	InboundUnansweredCount     int64  `json:"InboundUnansweredCount,omitempty"`
	InboundAnsweredTalkingDur  string `json:"InboundAnsweredTalkingDur,omitempty"`
	OutboundAnsweredCount      int64  `json:"OutboundAnsweredCount,omitempty"`
	OutboundUnansweredCount    int64  `json:"OutboundUnansweredCount,omitempty"`
	OutboundAnsweredTalkingDur string `json:"OutboundAnsweredTalkingDur,omitempty"`
	SentimentScore             int32  `json:"SentimentScore,omitempty"`
}

// ExtensionStatisticsCalls returns the calls that the Extension Statistics by Group report
// counts for group: those of the group's members that start in [from, to), up to the
// fake's clock, in callArea (0 all, 1 internal, 2 external). An empty group counts
// nothing, as on a real PBX.
func (s *Server) ExtensionStatisticsCalls(group string, from, to time.Time, callArea int) []Call {
	if group == "" || !s.Directory.HasGroup(group) {
		return nil
	}
	if now := s.Now(); now.Before(to) {
		to = now
	}

	filter := UserActivityFilter{IncludeQueueCalls: true, CallArea: callArea}
	var calls []Call
	for _, c := range s.Log.Calls(s.Directory.Members(group), from, to) {
		if filter.Matches(c) {
			calls = append(calls, c)
		}
	}
	return calls
}

func (s *Server) serveExtensionStatistics(w http.ResponseWriter, r *http.Request, path string) {
	args, cerr := parseFunctionCall(path,
		"/ReportExtensionStatisticsByGroup/Pbx.GetExtensionStatisticsByGroupData", extensionStatisticsParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}
	group, from, to, area, cerr := extensionStatisticsArgs(args)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	writeProjected(w, r, "Pbx.ReportExtensionStatisticsByGroup", s.extensionStatisticsRows(group, from, to, area), nil)
}

func extensionStatisticsArgs(args functionArgs) (string, time.Time, time.Time, int, *callError) {
	group, cerr := args.String("groupNumber")
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	from, cerr := args.DateTime("periodFrom")
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	to, cerr := args.DateTime("periodTo")
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	area, cerr := args.Int("callArea")
	if cerr != nil {
		return "", time.Time{}, time.Time{}, 0, cerr
	}
	if area < 0 || area > 2 {
		return "", time.Time{}, time.Time{}, 0, serverError("callArea: want 0, 1 or 2, got %d", area)
	}
	return group, from, to, area, nil
}

// extensionStatisticsRows returns one row per member of group, in order of number, also for
// members without calls.
func (s *Server) extensionStatisticsRows(group string, from, to time.Time, area int) []extensionStatisticsRow {
	if group == "" || !s.Directory.HasGroup(group) {
		return []extensionStatisticsRow{}
	}

	type totals struct {
		inAnswered, inUnanswered, outAnswered, outUnanswered int64
		inTalk, outTalk                                      time.Duration
	}
	byExtension := map[string]*totals{}
	for _, c := range s.ExtensionStatisticsCalls(group, from, to, area) {
		t := byExtension[c.Extension]
		if t == nil {
			t = &totals{}
			byExtension[c.Extension] = t
		}
		switch {
		case c.Inbound && c.Answered:
			t.inAnswered++
			t.inTalk += c.Talk
		case c.Inbound:
			t.inUnanswered++
		case c.Answered:
			t.outAnswered++
			t.outTalk += c.Talk
		default:
			t.outUnanswered++
		}
	}

	rows := []extensionStatisticsRow{}
	for _, number := range s.Directory.Members(group) {
		ext, _ := s.Directory.Extension(number)
		row := extensionStatisticsRow{Dn: number, DisplayName: ext.Name}
		if t := byExtension[number]; t != nil {
			row.InboundAnsweredCount, row.InboundUnansweredCount = t.inAnswered, t.inUnanswered
			row.OutboundAnsweredCount, row.OutboundUnansweredCount = t.outAnswered, t.outUnanswered
			row.InboundAnsweredTalkingDur = formatNonZeroDuration(t.inTalk)
			row.OutboundAnsweredTalkingDur = formatNonZeroDuration(t.outTalk)
		}
		rows = append(rows, row)
	}
	return rows
}

// formatNonZeroDuration writes d as 3CX does, or "" for zero, so that the field is left out.
func formatNonZeroDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return formatISODuration(d)
}
