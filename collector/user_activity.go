package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var userActivityCallsDesc = prometheus.NewDesc(
	"threecx_user_activity_calls",
	"Calls in the report's window from the User Activity report, summed over its buckets."+
		" A group request sets group and an extension request sets extension.",
	[]string{"report", "group", "extension", "result"}, nil)

// userActivityReport makes one GetUserActivity request per configured group and per
// configured extension.
type userActivityReport struct {
	reportName string
	config     *config.Report
	location   *time.Location
}

func (r *userActivityReport) name() string { return r.reportName }

func (r *userActivityReport) queries(now time.Time) []threecx.UserActivityQuery {
	from, to := r.config.ParsedWindow.Range(now, r.location)
	base := threecx.UserActivityQuery{
		TimeZone:          r.location.String(),
		From:              from,
		To:                to,
		WaitInterval:      time.Duration(r.config.WaitInterval),
		IncludeQueueCalls: r.config.IncludeQueueCalls,
		CallArea:          threecx.CallArea(r.config.ParsedCallArea),
		GroupingType:      r.config.GroupingType,
		Options:           queryOptions(r.config.Options),
	}

	var queries []threecx.UserActivityQuery
	for _, group := range r.config.Groups {
		q := base
		q.GroupNumber = group
		queries = append(queries, q)
	}
	for _, extension := range r.config.Extensions {
		q := base
		q.ExtensionDN = extension
		queries = append(queries, q)
	}
	return queries
}

func (r *userActivityReport) fetch(s *scrape) (*reportData, error) {
	queries := r.queries(s.now)
	totals := make([]*[2]int64, len(queries))

	err := s.forEach(len(queries), func(ctx context.Context, i int) error {
		q := queries[i]
		buckets, err := s.client.UserActivity(ctx, q)
		if err != nil {
			return fmt.Errorf("user activity for %s: %w", describeQuery(q), err)
		}
		var sum [2]int64
		for _, b := range buckets {
			sum[0] += b.AnsweredCount
			sum[1] += b.UnansweredCount
		}
		totals[i] = &sum
		return nil
	})

	data := &reportData{}
	for i, q := range queries {
		if totals[i] == nil {
			continue
		}
		data.metrics = append(data.metrics,
			prometheus.MustNewConstMetric(userActivityCallsDesc, prometheus.GaugeValue,
				float64(totals[i][0]), r.reportName, q.GroupNumber, q.ExtensionDN, "answered"),
			prometheus.MustNewConstMetric(userActivityCallsDesc, prometheus.GaugeValue,
				float64(totals[i][1]), r.reportName, q.GroupNumber, q.ExtensionDN, "unanswered"),
		)
	}
	return data, err
}

func describeQuery(q threecx.UserActivityQuery) string {
	if q.GroupNumber != "" {
		return fmt.Sprintf("group %q", q.GroupNumber)
	}
	return fmt.Sprintf("extension %q", q.ExtensionDN)
}

// queryOptions converts the config's OData options to the client's.
func queryOptions(o config.Options) threecx.QueryOptions {
	return threecx.QueryOptions{
		Top:     o.Top,
		Skip:    o.Skip,
		Search:  o.Search,
		Filter:  o.Filter,
		Count:   o.Count,
		Select:  o.Select,
		OrderBy: o.OrderBy,
		Expand:  o.Expand,
	}
}
