package threecx_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// downloadDay is a past day in Berlin, so that every call of the window has happened by
// the fake's clock.
var downloadDay = time.Date(2026, 3, 3, 0, 0, 0, 0, mustLoadLocation("Europe/Berlin"))

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// newDownloadFake starts a fake PBX whose clock is the day after downloadDay.
func newDownloadFake(t *testing.T) (*threecx.Client, *threecxtest.Server) {
	t.Helper()
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Now = func() time.Time { return downloadDay.AddDate(0, 0, 1) }
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)

	client, err := threecx.New(threecx.Options{
		BaseURL:      server.URL,
		ClientID:     threecxtest.DefaultClientID,
		ClientSecret: threecxtest.DefaultClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, fake
}

func downloadQuery(options threecx.QueryOptions) threecx.UserActivityQuery {
	return threecx.UserActivityQuery{
		TimeZone:          downloadDay.Location().String(),
		From:              downloadDay,
		To:                downloadDay.AddDate(0, 0, 1),
		GroupNumber:       "GRP0001",
		IncludeQueueCalls: true,
		Options:           options,
	}
}

// expectedDayRows counts the calls of the group's members in downloadDay hour by hour,
// straight from the fake's call log.
func expectedDayRows(fake *threecxtest.Server, group string) []threecx.UserActivity {
	loc := downloadDay.Location()
	end := downloadDay.AddDate(0, 0, 1)
	var rows []threecx.UserActivity
	index := map[string]int{}
	for hour := downloadDay; hour.Before(end); hour = hour.Add(time.Hour) {
		interval := hour.In(loc).Format(time.RFC3339)
		index[interval] = len(rows)
		rows = append(rows, threecx.UserActivity{DateTimeInterval: interval})
	}

	for _, call := range fake.Log.Calls(fake.Directory.Members(group), downloadDay, end) {
		start := call.Start.In(loc)
		hour := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), 0, 0, 0, loc)
		row := &rows[index[hour.Format(time.RFC3339)]]
		if call.Answered {
			row.AnsweredCount++
		} else {
			row.UnansweredCount++
		}
	}
	return rows
}

func TestDownloadUserActivityRows(t *testing.T) {
	client, fake := newDownloadFake(t)
	want := expectedDayRows(fake, "GRP0001")

	tests := []struct {
		name         string
		pageSize     int
		options      threecx.QueryOptions
		want         []threecx.UserActivity
		wantRequests int
	}{
		{"one request", 0, threecx.QueryOptions{}, want, 1},
		{"pages of 5", 5, threecx.QueryOptions{}, want, (len(want) + 4) / 5},
		{"page size of the report", len(want), threecx.QueryOptions{}, want, 1},
		{"skip and top", 4, threecx.QueryOptions{Skip: 3, Top: 10}, want[3:13], 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last threecx.DownloadProgress
			calls := 0
			rows, err := client.DownloadUserActivity(context.Background(), downloadQuery(tt.options), tt.pageSize,
				func(p threecx.DownloadProgress) {
					calls++
					last = p
				})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n%+v\nwant:\n%+v", rows, tt.want)
			}
			if last.Requests != tt.wantRequests {
				t.Errorf("progress requests = %d, want %d", last.Requests, tt.wantRequests)
			}
			if calls != tt.wantRequests {
				t.Errorf("progress calls = %d, want %d", calls, tt.wantRequests)
			}
			if last.Rows != len(tt.want) {
				t.Errorf("progress rows = %d, want %d", last.Rows, len(tt.want))
			}
		})
	}
}

func TestDownloadUserActivityPagedTotal(t *testing.T) {
	client, fake := newDownloadFake(t)
	want := expectedDayRows(fake, "GRP0001")

	var totals []int64
	_, err := client.DownloadUserActivity(context.Background(), downloadQuery(threecx.QueryOptions{}), 10,
		func(p threecx.DownloadProgress) { totals = append(totals, p.Total) })
	if err != nil {
		t.Fatal(err)
	}
	for i, total := range totals {
		if total != int64(len(want)) {
			t.Errorf("request %d: total = %d, want %d", i+1, total, len(want))
		}
	}
}

func TestDownloadUserActivityInvalidPageSize(t *testing.T) {
	client, fake := newDownloadFake(t)

	_, err := client.DownloadUserActivity(context.Background(), downloadQuery(threecx.QueryOptions{}), -1, nil)
	if err == nil {
		t.Fatal("DownloadUserActivity accepted a negative page size")
	}
	if got := len(fake.Requests()); got != 0 {
		t.Errorf("requests sent = %d, want 0", got)
	}
}

// TestDownloadRequestsMatchSpec checks every request of a paged download against the spec.
func TestDownloadRequestsMatchSpec(t *testing.T) {
	api := loadSpec(t)
	client, fake := newDownloadFake(t)

	options := threecx.QueryOptions{Select: []string{"DateTimeInterval", "AnsweredCount", "UnansweredCount"}}
	if _, err := client.DownloadUserActivity(context.Background(), downloadQuery(options), 10, nil); err != nil {
		t.Fatal(err)
	}
	requests := fake.Requests()
	if len(requests) == 0 {
		t.Fatal("the download sent no request")
	}
	for _, r := range requests {
		if err := checkRequest(api, r.Method, r.Path, r.Query); err != nil {
			t.Errorf("%s %s?%s: %v", r.Method, r.Path, r.Query, err)
		}
	}
}
