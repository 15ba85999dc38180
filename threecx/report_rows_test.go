package threecx_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// TestReportFunctionsRequireValueArray checks that a report function whose 200 response
// is not an OData collection fails instead of reading as a report without rows, which
// would show as zero calls.
func TestReportFunctionsRequireValueArray(t *testing.T) {
	from := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	to := from.Add(time.Hour)
	queue := threecx.QueueReportQuery{QueueNumber: "800", From: from, To: to}
	calls := []struct {
		function string
		call     func(ctx context.Context, c *threecx.Client) error
	}{
		{"GetUserActivity", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.UserActivity(ctx, threecx.UserActivityQuery{TimeZone: "UTC", From: from, To: to, GroupNumber: "GRP0000"})
			return err
		}},
		{"GetExtensionStatisticsByGroupData", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.ExtensionStatistics(ctx, threecx.ExtensionStatisticsQuery{GroupNumber: "GRP0000", From: from, To: to})
			return err
		}},
		{"GetAgentsInQueueStatisticsData", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.AgentsInQueue(ctx, threecx.AgentsInQueueQuery{QueueNumber: "800", From: from, To: to})
			return err
		}},
		{"GetStatisticSlaData", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.StatisticSLA(ctx, queue)
			return err
		}},
		{"GetDetailedQueueStatisticsData", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.DetailedQueueStatistics(ctx, queue)
			return err
		}},
		{"GetAbandonedQueueCallsData", func(ctx context.Context, c *threecx.Client) error {
			_, err := c.AbandonedQueueCalls(ctx, queue)
			return err
		}},
	}
	bodies := map[string]string{
		"empty object": `{}`,
		"null value":   `{"value":null}`,
	}
	for _, call := range calls {
		for bodyName, body := range bodies {
			t.Run(call.function+"/"+bodyName, func(t *testing.T) {
				fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())
				fake.Intercept = threecxtest.Respond(http.StatusOK,
					http.Header{"Content-Type": {"application/json"}}, body)

				err := call.call(context.Background(), client)
				if err == nil {
					t.Fatalf("%s with the body %s returned no error", call.function, body)
				}
				if !strings.Contains(err.Error(), "no value array") {
					t.Errorf("the error does not say that the value array is missing: %v", err)
				}
				if !strings.Contains(err.Error(), call.function) {
					t.Errorf("the error does not name %s: %v", call.function, err)
				}
			})
		}
	}
}

// TestReportFunctionsEmptyValueArray checks that an empty value array is a report without
// rows, not an error.
func TestReportFunctionsEmptyValueArray(t *testing.T) {
	fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	fake.Intercept = threecxtest.Respond(http.StatusOK,
		http.Header{"Content-Type": {"application/json"}}, `{"value":[]}`)

	from := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	rows, err := client.StatisticSLA(context.Background(),
		threecx.QueueReportQuery{QueueNumber: "800", From: from, To: from.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("got %d rows, want 0", len(rows))
	}
}
