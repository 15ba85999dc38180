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

// UserActivityQueries returns the requests of a user_activity report over [from, to): one
// per group, then one per extension, with the report's settings and time zone loc.
func UserActivityQueries(rc *config.Report, loc *time.Location, from, to time.Time) []threecx.UserActivityQuery {
	base := threecx.UserActivityQuery{
		TimeZone:          loc.String(),
		From:              from,
		To:                to,
		WaitInterval:      time.Duration(rc.WaitInterval),
		IncludeQueueCalls: rc.IncludeQueueCalls,
		CallArea:          threecx.CallArea(rc.ParsedCallArea),
		GroupingType:      rc.GroupingType,
		Options:           queryOptions(rc.Options),
	}

	var queries []threecx.UserActivityQuery
	for _, group := range rc.Groups {
		q := base
		q.GroupNumber = group
		queries = append(queries, q)
	}
	for _, extension := range rc.Extensions {
		q := base
		q.ExtensionDN = extension
		queries = append(queries, q)
	}
	return queries
}

// callCounts are the calls of one User Activity request, summed over its buckets.
type callCounts struct {
	answered, unanswered int64
}

func (r *userActivityReport) fetch(s *scrape) (*reportData, error) {
	from, to := r.config.ParsedWindow.Range(s.now, r.location)
	queries := UserActivityQueries(r.config, r.location, from, to)
	totals := make([]*callCounts, len(queries))

	err := s.forEach(len(queries), func(ctx context.Context, i int) error {
		q := queries[i]
		buckets, err := s.client.UserActivity(ctx, q)
		if err != nil {
			return fmt.Errorf("user activity for %s: %w", q.Subject(), err)
		}
		var sum callCounts
		for _, b := range buckets {
			sum.answered += b.AnsweredCount
			sum.unanswered += b.UnansweredCount
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
				float64(totals[i].answered), r.reportName, q.GroupNumber, q.ExtensionDN, "answered"),
			prometheus.MustNewConstMetric(userActivityCallsDesc, prometheus.GaugeValue,
				float64(totals[i].unanswered), r.reportName, q.GroupNumber, q.ExtensionDN, "unanswered"),
		)
	}
	return data, err
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
