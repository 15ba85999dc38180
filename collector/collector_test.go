package collector_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

const reportInfoConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: %s
reports:
  today:
    type: user_activity
    groups: [GRP0001]
  last_hour:
    type: user_activity
    window: 60m
    groups: [GRP0001]
  live:
    type: status
`

func TestReportInfoSeries(t *testing.T) {
	pbx := newTestPBX(t, reportInfoConfig, threecxtest.DefaultClientSecret)

	// The window is written the way Prometheus writes durations, so 60m becomes 1h.
	want := `# HELP threecx_report_info Type and window of a report, always 1. window is "today", a duration such as 1h, or empty for live state. Rules that treat a today gauge as a counter select window="today".
# TYPE threecx_report_info gauge
threecx_report_info{report="last_hour",type="user_activity",window="1h"} 1
threecx_report_info{report="live",type="status",window=""} 1
threecx_report_info{report="today",type="user_activity",window="today"} 1
`
	if err := testutil.CollectAndCompare(pbx.collector(), strings.NewReader(want), "threecx_report_info"); err != nil {
		t.Error(err)
	}
}
