package threecx

import (
	"context"
	"fmt"
	"time"
)

// UserActivitySignature is the User Activity report function, with its parameters in the
// order the PBX expects.
var UserActivitySignature = Signature{
	EntitySet: "ReportUserActivity",
	Function:  "GetUserActivity",
	Params: []Param{
		{Name: "clientTimeZone", Kind: KindString},
		{Name: "periodFrom", Kind: KindDateTime},
		{Name: "periodTo", Kind: KindDateTime},
		{Name: "groupNumber", Kind: KindString},
		{Name: "extensionDns", Kind: KindString},
		{Name: "waitInterval", Kind: KindString},
		{Name: "includeQueueCalls", Kind: KindBool},
		{Name: "callArea", Kind: KindInt},
		{Name: "groupingType", Kind: KindInt},
	},
}

// CallArea selects calls by where the other party is.
type CallArea int

// The call areas of the User Activity and extension statistics reports.
const (
	CallAreaAll      CallArea = 0
	CallAreaInternal CallArea = 1
	CallAreaExternal CallArea = 2
)

// UserActivityQuery are the parameters of one User Activity request. An empty GroupNumber
// or ExtensionDN means every group or every extension.
type UserActivityQuery struct {
	// TimeZone is an IANA name; the PBX puts buckets on its hours and writes times with its offset.
	TimeZone          string
	From, To          time.Time
	GroupNumber       string
	ExtensionDN       string
	WaitInterval      time.Duration
	IncludeQueueCalls bool
	CallArea          CallArea
	// GroupingType 0 is hour by hour; 3CX documents no other value.
	GroupingType int
	Options      QueryOptions
}

// UserActivity is one bucket of the User Activity report. 3CX leaves a count out of the
// bucket when it is zero, which decodes as 0.
type UserActivity struct {
	DateTimeInterval string `json:"DateTimeInterval"`
	AnsweredCount    int64  `json:"AnsweredCount"`
	UnansweredCount  int64  `json:"UnansweredCount"`
}

// UserActivityPath returns the escaped request path of q.
func UserActivityPath(q UserActivityQuery) (string, error) {
	return UserActivitySignature.Path(q.arguments()...)
}

// arguments returns the values of q in the order of UserActivitySignature.Params.
func (q UserActivityQuery) arguments() []any {
	return []any{
		q.TimeZone,
		q.From,
		q.To,
		q.GroupNumber,
		q.ExtensionDN,
		FormatTimeSpan(q.WaitInterval),
		q.IncludeQueueCalls,
		int(q.CallArea),
		q.GroupingType,
	}
}

// Subject returns what q requests, such as `group "GRP0001"` or `extension "101"`, for
// error messages and progress lines.
func (q UserActivityQuery) Subject() string {
	switch {
	case q.GroupNumber != "" && q.ExtensionDN != "":
		return fmt.Sprintf("group %q and extension %q", q.GroupNumber, q.ExtensionDN)
	case q.GroupNumber != "":
		return fmt.Sprintf("group %q", q.GroupNumber)
	case q.ExtensionDN != "":
		return fmt.Sprintf("extension %q", q.ExtensionDN)
	}
	return "every group and extension"
}

// UserActivity fetches the User Activity report for q.
func (c *Client) UserActivity(ctx context.Context, q UserActivityQuery) ([]UserActivity, error) {
	path, err := UserActivityPath(q)
	if err != nil {
		return nil, err
	}

	return getFunction[UserActivity](ctx, c, UserActivitySignature, path, q.Options)
}
