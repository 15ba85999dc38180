package collector_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// TestQueueServiceDurationSumOverflow sends two detailed queue statistics rows whose ring
// times fit in a time.Duration each, about 164 years, but not summed. The sum must fail
// the queue's figures instead of wrapping around to a negative ring time.
func TestQueueServiceDurationSumOverflow(t *testing.T) {
	const ringTime = "P60000DT0S"
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueServiceConfig, scrapeTime)
	pbx.fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.EscapedPath(), "GetDetailedQueueStatisticsData(queueDnStr='800'") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"value":[{"QueueDnNumber":"800","AnsweredCount":1,"RingTime":%q},`+
			`{"QueueDnNumber":"800","AnsweredCount":1,"RingTime":%q}]}`, ringTime, ringTime)
		return true
	}
	values := gather(t, pbx.collector())

	if got, ok := values[`threecx_queue_ring_seconds{queue="800",report="sla"}`]; ok {
		t.Errorf("queue 800 has a ring time of %v s, though its sum overflows", got)
	}
	if _, ok := values[`threecx_queue_ring_seconds{queue="801",report="sla"}`]; !ok {
		t.Error("queue 801 lost its ring time series")
	}
	if got := values[`threecx_report_success{report="sla"}`]; got != 0 {
		t.Errorf("report success = %v, want 0", got)
	}
	logs := pbx.logs.String()
	for _, want := range []string{`queue \"800\"`, "RingTime", ringTime} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not contain %s:\n%s", want, logs)
		}
	}
}
