package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// downloadConfig has a report with two groups and an extension, one with a single
// extension, and a report of another type. The field is the fake's URL.
const downloadConfig = `
targets:
  office:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + e2eSecret + `
    time_zone: Europe/Berlin
reports:
  activity:
    type: user_activity
    window: 2h
    groups: [GRP0001, GRP0002]
    extensions: ["107"]
    include_queue_calls: true
    call_area: external
  reception:
    type: user_activity
    extensions: ["100"]
  system:
    type: system
`

// downloadedRow is one row of the download's output.
type downloadedRow struct {
	Group            string
	Extension        string
	DateTimeInterval string
	AnsweredCount    int64
	UnansweredCount  int64
}

// activityRequest is one request of a report: its group or its extension and its filter.
type activityRequest struct {
	group, extension  string
	includeQueueCalls bool
	externalOnly      bool
}

var activityRequests = []activityRequest{
	{group: "GRP0001", includeQueueCalls: true, externalOnly: true},
	{group: "GRP0002", includeQueueCalls: true, externalOnly: true},
	{extension: "107", includeQueueCalls: true, externalOnly: true},
}

var receptionRequests = []activityRequest{{extension: "100"}}

// expectedDownload counts the calls of each request in [from, to) hour by hour in loc,
// straight from the fake's call log.
func expectedDownload(fake *threecxtest.Server, requests []activityRequest, loc *time.Location, from, to time.Time) []downloadedRow {
	var rows []downloadedRow
	for _, r := range requests {
		numbers := []string{r.extension}
		if r.group != "" {
			numbers = fake.Directory.Members(r.group)
		}

		index := map[string]int{}
		for hour := from; hour.Before(to); hour = hour.Add(time.Hour) {
			interval := hour.In(loc).Format(time.RFC3339)
			index[interval] = len(rows)
			rows = append(rows, downloadedRow{Group: r.group, Extension: r.extension, DateTimeInterval: interval})
		}

		for _, call := range fake.Log.Calls(numbers, from, to) {
			if call.Queue != "" && !r.includeQueueCalls || r.externalOnly && !call.External {
				continue
			}
			start := call.Start.In(loc)
			hour := time.Date(start.Year(), start.Month(), start.Day(), start.Hour(), 0, 0, 0, loc)
			row := &rows[index[hour.Format(time.RFC3339)]]
			if call.Answered {
				row.AnsweredCount++
			} else {
				row.UnansweredCount++
			}
		}
	}
	return rows
}

func parseCSVRows(t *testing.T, text string) []downloadedRow {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v\n%s", err, text)
	}
	if len(records) == 0 {
		t.Fatal("the CSV output is empty")
	}
	if got := strings.Join(records[0], ","); got != "Group,Extension,DateTimeInterval,AnsweredCount,UnansweredCount" {
		t.Errorf("CSV header %q", got)
	}

	var rows []downloadedRow
	for _, record := range records[1:] {
		answered, err := strconv.ParseInt(record[3], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		unanswered, err := strconv.ParseInt(record[4], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, downloadedRow{record[0], record[1], record[2], answered, unanswered})
	}
	return rows
}

func parseJSONRows(t *testing.T, text string) []downloadedRow {
	t.Helper()
	var rows []downloadedRow
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		t.Fatalf("parse JSON: %v\n%s", err, text)
	}
	return rows
}

// progressLines returns the lines of stderr that report progress.
func progressLines(stderr string) []string {
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "[") {
			lines = append(lines, line)
		}
	}
	return lines
}

func TestBinaryDownload(t *testing.T) {
	fake, pbxURL, now := startFakePBX(t)
	configFile := writeConfig(t, fmt.Sprintf(downloadConfig, pbxURL))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}

	// Yesterday in Berlin, whose calls have all happened by the fake's clock.
	today := now.In(berlin)
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, berlin)
	from := to.AddDate(0, 0, -1)
	day := []string{"--from=" + from.Format("2006-01-02"), "--to=" + to.Format("2006-01-02")}
	dayRows := expectedDownload(fake, activityRequests, berlin, from, to)
	if calls := totalCalls(dayRows); calls == 0 {
		t.Fatal("the fake's log has no call on the day, so the comparison would prove little")
	}

	// A window that ends at --to alone is the report's 2h.
	endOnly := to.Add(-5 * time.Hour)
	endOnlyRows := expectedDownload(fake, activityRequests, berlin, endOnly.Add(-2*time.Hour), endOnly)

	tests := []struct {
		name         string
		args         []string
		parse        func(*testing.T, string) []downloadedRow
		want         []downloadedRow
		wantProgress int
	}{
		{"csv", append([]string{"activity"}, day...), parseCSVRows, dayRows, len(activityRequests)},
		{"json", append([]string{"activity", "--format=json"}, day...), parseJSONRows, dayRows, len(activityRequests)},
		{"paged", append([]string{"activity", "--page-size=10"}, day...), parseCSVRows, dayRows, pagedRequests(dayRows, 10)},
		{"to only", []string{"activity", "--to=" + endOnly.Format(time.RFC3339)}, parseCSVRows, endOnlyRows, len(activityRequests)},
		{"RFC 3339 window", []string{"reception", "--from=" + from.UTC().Format(time.RFC3339), "--to=" + to.UTC().Format(time.RFC3339)},
			parseCSVRows, expectedDownload(fake, receptionRequests, berlin, from, to), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"download", "--config.file=" + configFile, "office"}, tt.args...)
			result := runBinary(t, nil, args...)
			if result.exitCode != 0 {
				t.Fatalf("exit status %d\nstderr:\n%s", result.exitCode, result.stderr)
			}

			rows := tt.parse(t, result.stdout)
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n%+v\nwant:\n%+v", rows, tt.want)
			}
			if got := progressLines(result.stderr); len(got) != tt.wantProgress {
				t.Errorf("%d progress lines, want %d:\n%s", len(got), tt.wantProgress, result.stderr)
			}
			if strings.Contains(result.stdout+result.stderr, e2eSecret) {
				t.Errorf("the output contains the secret")
			}
		})
	}
}

func totalCalls(rows []downloadedRow) int64 {
	var total int64
	for _, r := range rows {
		total += r.AnsweredCount + r.UnansweredCount
	}
	return total
}

// pagedRequests returns the requests of a download in pages of size: enough pages for
// the rows of each request, and one for a request without rows.
func pagedRequests(rows []downloadedRow, size int) int {
	perRequest := map[[2]string]int{}
	for _, r := range rows {
		perRequest[[2]string{r.Group, r.Extension}]++
	}
	requests := 0
	for _, n := range perRequest {
		requests += max(1, (n+size-1)/size)
	}
	return requests
}

func TestBinaryDownloadRejects(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	configFile := writeConfig(t, fmt.Sprintf(downloadConfig, pbxURL))

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown target", []string{"branch", "activity"}, `unknown target \"branch\": want one of office`},
		{"unknown report", []string{"office", "weekly"}, `unknown report \"weekly\": want one of activity, reception, system`},
		{"report type", []string{"office", "system"}, "download takes a report of type user_activity"},
		{"invalid from", []string{"office", "activity", "--from=yesterday"}, `--from: invalid time \"yesterday\"`},
		{"empty window", []string{"office", "activity", "--from=2026-03-02", "--to=2026-03-01"}, "the start must be before the end"},
		{"timeout", []string{"office", "activity", "--timeout=0s"}, "invalid --timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"download", "--config.file=" + configFile}, tt.args...)
			result := runBinary(t, nil, args...)
			if result.exitCode != 1 {
				t.Errorf("exit status %d, want 1", result.exitCode)
			}
			if !strings.Contains(result.stderr, tt.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantErr, result.stderr)
			}
			if result.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", result.stdout)
			}
		})
	}
}

func TestParseTimeFlagDateStartsDay(t *testing.T) {
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		value string
		loc   *time.Location
		want  time.Time
	}{
		// Chile's clocks jumped from 00:00 to 01:00 on 2024-09-08, so that day began at 01:00 -03.
		{"midnight skipped", "2024-09-08", santiago, time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC)},
		{"ordinary day", "2026-03-01", berlin, time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)},
		{"local date-time", "2026-03-01T08:30", berlin, time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC)},
		{"RFC 3339", "2026-03-01T08:30:00Z", berlin, time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTimeFlag(tt.value, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("parseTimeFlag(%q) = %s, want %s", tt.value, got.UTC(), tt.want)
			}
		})
	}
}

func TestBinaryDownloadDemo(t *testing.T) {
	result := runBinary(t, nil, "download", "--demo", "demo", "activity_today", "--format=json")
	if result.exitCode != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", result.exitCode, result.stderr)
	}

	var rows []struct {
		Group, Extension string
		AnsweredCount    int
		UnansweredCount  int
	}
	if err := json.Unmarshal([]byte(result.stdout), &rows); err != nil {
		t.Fatalf("output is not a JSON list of rows: %v\n%s", err, result.stdout)
	}

	// The demo's activity_today report asks for two groups and every extension.
	directory := threecxtest.DemoDirectory()
	subjects := map[string]bool{}
	for _, r := range rows {
		subjects[r.Group+"/"+r.Extension] = true
		// Extension 105 never gets a call in the demo's call log.
		if r.Extension == "105" && r.AnsweredCount+r.UnansweredCount != 0 {
			t.Errorf("extension 105 has calls in a row: %+v", r)
		}
	}
	if want := 2 + len(directory.Extensions); len(subjects) != want {
		t.Errorf("rows cover %d groups and extensions, want %d: %v", len(subjects), want, subjects)
	}
}
