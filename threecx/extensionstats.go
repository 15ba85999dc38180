package threecx

import (
	"context"
	"time"
)

// ExtensionStatisticsSignature is the function of the Extension Statistics by Group report,
// with its parameters in the order the PBX expects.
var ExtensionStatisticsSignature = Signature{
	EntitySet: "ReportExtensionStatisticsByGroup",
	Function:  "GetExtensionStatisticsByGroupData",
	Params: []Param{
		{Name: "groupNumber", Kind: KindString},
		{Name: "periodFrom", Kind: KindDateTime},
		{Name: "periodTo", Kind: KindDateTime},
		{Name: "callArea", Kind: KindInt},
	},
}

// ExtensionStatisticsQuery are the parameters of one Extension Statistics by Group request.
// 3CX responds to an empty GroupNumber with an empty list, so a query names a group, such as
// the default department GRP0000, which contains every extension.
type ExtensionStatisticsQuery struct {
	GroupNumber string
	From, To    time.Time
	CallArea    CallArea
	Options     QueryOptions
}

// ExtensionStatistics is the row of one extension in the Extension Statistics by Group
// report. 3CX leaves a count or duration out of the row when it is zero, which decodes as 0
// and as an empty Duration.
type ExtensionStatistics struct {
	Dn                         string   `json:"Dn"`
	DisplayName                string   `json:"DisplayName"`
	InboundAnsweredCount       int64    `json:"InboundAnsweredCount"`
	InboundUnansweredCount     int64    `json:"InboundUnansweredCount"`
	InboundAnsweredTalkingDur  Duration `json:"InboundAnsweredTalkingDur"`
	OutboundAnsweredCount      int64    `json:"OutboundAnsweredCount"`
	OutboundUnansweredCount    int64    `json:"OutboundUnansweredCount"`
	OutboundAnsweredTalkingDur Duration `json:"OutboundAnsweredTalkingDur"`
}

// ExtensionStatisticsPath returns the escaped request path of q.
func ExtensionStatisticsPath(q ExtensionStatisticsQuery) (string, error) {
	return ExtensionStatisticsSignature.Path(q.GroupNumber, q.From, q.To, int(q.CallArea))
}

// ExtensionStatistics fetches the Extension Statistics by Group report for q.
func (c *Client) ExtensionStatistics(ctx context.Context, q ExtensionStatisticsQuery) ([]ExtensionStatistics, error) {
	path, err := ExtensionStatisticsPath(q)
	if err != nil {
		return nil, err
	}

	return getFunction[ExtensionStatistics](ctx, c, ExtensionStatisticsSignature, path, q.Options)
}
