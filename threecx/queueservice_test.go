package threecx_test

import (
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
)

func TestQueueReportPathsMatchSpec(t *testing.T) {
	api := loadSpec(t)
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, time.FixedZone("", 2*3600))

	queries := []struct {
		name  string
		query threecx.QueueReportQuery
	}{
		{"plain", threecx.QueueReportQuery{QueueNumber: "800", From: from, To: from.Add(time.Hour)}},
		{"wait interval", threecx.QueueReportQuery{QueueNumber: "800", From: from, To: from, WaitInterval: 90 * time.Second}},
		{"quote and comma", threecx.QueueReportQuery{QueueNumber: "8'0,0", From: from, To: from}},
		{"empty queue", threecx.QueueReportQuery{From: from, To: from}},
	}
	paths := []struct {
		name  string
		path  func(threecx.QueueReportQuery) (string, error)
		query string
	}{
		{"sla", threecx.StatisticSLAPath, ""},
		{"detailed", threecx.DetailedQueueStatisticsPath, ""},
		{"abandoned", threecx.AbandonedQueueCallsPath, threecx.QueryOptions{Select: threecx.AbandonedQueueCallFields}.Encode()},
	}
	for _, p := range paths {
		for _, q := range queries {
			t.Run(p.name+" "+q.name, func(t *testing.T) {
				path, err := p.path(q.query)
				if err != nil {
					t.Fatal(err)
				}
				if err := checkRequest(api, "GET", threecx.APIPrefix+path, p.query); err != nil {
					t.Error(err)
				}
			})
		}
	}
}
