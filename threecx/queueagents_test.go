package threecx_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func TestAgentsInQueueRejectsQueueNumbers(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name, queue string
	}{
		{"empty", ""},
		{"two queues", "800,801"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := threecx.AgentsInQueuePath(threecx.AgentsInQueueQuery{QueueNumber: tt.queue, From: from, To: from.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			var page struct {
				Value []threecx.AgentInQueueStatistics
			}
			err = client.Get(context.Background(), path, threecx.QueryOptions{}, &page)
			var apiErr *threecx.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
				t.Errorf("queue %q: error %v, want HTTP 404", tt.queue, err)
			}
		})
	}
}

func TestAgentsInQueueEmptyQueueNotSent(t *testing.T) {
	fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())

	_, err := client.AgentsInQueue(context.Background(), threecx.AgentsInQueueQuery{})
	if err == nil {
		t.Fatal("AgentsInQueue accepted an empty queue number")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("sent %d requests, want none", n)
	}
}

func TestAgentsInQueueParametersOutOfOrder(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	path := "/ReportAgentsInQueueStatistics/Pbx.GetAgentsInQueueStatisticsData(" +
		"startDt=2026-03-02T00:00:00Z,queueDnStr='800',endDt=2026-03-02T01:00:00Z,waitInterval='0:00:20')"

	var page struct {
		Value []threecx.AgentInQueueStatistics
	}
	err := client.Get(context.Background(), path, threecx.QueryOptions{}, &page)
	var apiErr *threecx.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("error %v, want HTTP 404", err)
	}
}
