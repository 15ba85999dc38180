package collector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	extensionCallsDesc = prometheus.NewDesc(
		"threecx_extension_calls",
		"Calls of the extension in the report's window, from the Extension Statistics by Group report.",
		[]string{"report", "group", "extension", "direction", "result"}, nil)
	extensionTalkDesc = prometheus.NewDesc(
		"threecx_extension_talk_seconds",
		"Talk time of the extension's answered calls in the report's window, in seconds, from the"+
			" Extension Statistics by Group report.",
		[]string{"report", "group", "extension", "direction"}, nil)
)

// extensionStatisticsReport makes one GetExtensionStatisticsByGroupData request per
// configured group.
type extensionStatisticsReport struct {
	reportName string
	config     *config.Report
	location   *time.Location
}

func (r *extensionStatisticsReport) name() string { return r.reportName }

// extensionTotals are the figures of one extension in one group.
type extensionTotals struct {
	name                                                 string
	inAnswered, inUnanswered, outAnswered, outUnanswered int64
	inTalk, outTalk                                      float64
}

func (r *extensionStatisticsReport) fetch(s *scrape) (*reportData, error) {
	from, to := r.config.ParsedWindow.Range(s.now, r.location)
	groups := r.config.Groups
	results := make([]map[string]*extensionTotals, len(groups))

	err := s.forEach(len(groups), func(ctx context.Context, i int) error {
		rows, err := s.client.ExtensionStatistics(ctx, threecx.ExtensionStatisticsQuery{
			GroupNumber: groups[i],
			From:        from,
			To:          to,
			CallArea:    threecx.CallArea(r.config.ParsedCallArea),
			Options:     queryOptions(r.config.Options),
		})
		if err == nil {
			results[i], err = sumExtensionRows(rows)
		}
		if err != nil {
			return fmt.Errorf("extension statistics for group %q: %w", groups[i], err)
		}
		return nil
	})

	data := &reportData{}
	for i, group := range groups {
		for _, number := range sortedKeys(results[i]) {
			r.addExtension(data, group, number, results[i][number])
		}
	}
	return data, err
}

// sumExtensionRows adds up the rows by extension, so that an extension listed twice in one
// response gives one series. It fails on the first duration that does not parse.
func sumExtensionRows(rows []threecx.ExtensionStatistics) (map[string]*extensionTotals, error) {
	totals := map[string]*extensionTotals{}
	for _, row := range rows {
		if row.Dn == "" {
			return nil, errors.New("a row is missing its Dn")
		}
		inTalk, err := durationSeconds("InboundAnsweredTalkingDur", row.Dn, row.InboundAnsweredTalkingDur)
		if err != nil {
			return nil, err
		}
		outTalk, err := durationSeconds("OutboundAnsweredTalkingDur", row.Dn, row.OutboundAnsweredTalkingDur)
		if err != nil {
			return nil, err
		}

		t := totals[row.Dn]
		if t == nil {
			t = &extensionTotals{}
			totals[row.Dn] = t
		}
		t.name = row.DisplayName
		t.inAnswered += row.InboundAnsweredCount
		t.inUnanswered += row.InboundUnansweredCount
		t.outAnswered += row.OutboundAnsweredCount
		t.outUnanswered += row.OutboundUnansweredCount
		t.inTalk += inTalk
		t.outTalk += outTalk
	}
	return totals, nil
}

func (r *extensionStatisticsReport) addExtension(data *reportData, group, number string, t *extensionTotals) {
	calls := func(value int64, direction, result string) prometheus.Metric {
		return prometheus.MustNewConstMetric(extensionCallsDesc, prometheus.GaugeValue,
			float64(value), r.reportName, group, number, direction, result)
	}
	talk := func(value float64, direction string) prometheus.Metric {
		return prometheus.MustNewConstMetric(extensionTalkDesc, prometheus.GaugeValue,
			value, r.reportName, group, number, direction)
	}

	data.metrics = append(data.metrics,
		calls(t.inAnswered, "inbound", "answered"),
		calls(t.inUnanswered, "inbound", "unanswered"),
		calls(t.outAnswered, "outbound", "answered"),
		calls(t.outUnanswered, "outbound", "unanswered"),
		talk(t.inTalk, "inbound"),
		talk(t.outTalk, "outbound"),
	)
	data.addName("extension", number, t.name)
}

// durationSeconds converts a duration field of a row to seconds. The error names the
// field, the row's number and the value.
func durationSeconds(field, number string, value threecx.Duration) (float64, error) {
	seconds, err := value.Seconds()
	if err != nil {
		return 0, fmt.Errorf("row of %q: field %s: %w", number, field, err)
	}
	return seconds, nil
}
