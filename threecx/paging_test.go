package threecx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// newDirectoryClient starts a fake PBX with dir and returns it with a client for it.
func newDirectoryClient(t *testing.T, dir threecxtest.Directory) (*threecxtest.Server, *threecx.Client) {
	t.Helper()
	fake := threecxtest.NewServer(dir)
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
	return fake, client
}

// pageQueries returns the $top and $skip of each request to path, as "top/skip".
func pageQueries(t *testing.T, fake *threecxtest.Server, path string) []string {
	t.Helper()
	var pages []string
	for _, r := range fake.Requests() {
		if r.Path != threecx.APIPrefix+path {
			continue
		}
		query, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, query.Get("$top")+"/"+query.Get("$skip"))
	}
	return pages
}

func TestGetAllPages(t *testing.T) {
	tests := []struct {
		name      string
		users     int
		top       int
		wantUsers int
		wantPages []string
	}{
		{"short last page", 250, 0, 250, []string{"100/", "100/100", "100/200"}},
		{"full last page", 200, 0, 200, []string{"100/", "100/100", "100/200"}},
		{"one short page", 7, 0, 7, []string{"100/"}},
		{"no rows", 0, 0, 0, []string{"100/"}},
		{"top caps the rows", 250, 150, 150, []string{"100/", "50/100"}},
		{"top below a page", 250, 30, 30, []string{"30/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := newDirectoryClient(t, threecxtest.GeneratedDirectory(tt.users))

			users, err := threecx.GetAll[threecx.User](context.Background(), client, threecx.UsersPath,
				threecx.QueryOptions{Top: tt.top}, threecx.UsersPageSize)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tt.wantUsers {
				t.Errorf("got %d users, want %d", len(users), tt.wantUsers)
			}
			if pages := pageQueries(t, fake, threecx.UsersPath); !slices.Equal(pages, tt.wantPages) {
				t.Errorf("pages (top/skip) = %q, want %q", pages, tt.wantPages)
			}
		})
	}
}

func TestGetAllKeepsOrderAndSkip(t *testing.T) {
	dir := threecxtest.GeneratedDirectory(230)
	_, client := newDirectoryClient(t, dir)

	users, err := threecx.GetAll[threecx.User](context.Background(), client, threecx.UsersPath,
		threecx.QueryOptions{Skip: 20}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, u := range users {
		got = append(got, u.Number)
	}
	for _, e := range dir.Extensions[20:] {
		want = append(want, e.Number)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got numbers %v..., want %v...", got[:min(3, len(got))], want[:3])
	}
}

func TestGetAllNeverEndingCollection(t *testing.T) {
	fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	// This PBX ignores $skip and returns the same full page forever.
	var requests atomic.Int64
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != threecx.APIPrefix+threecx.UsersPath {
			return false
		}
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"value":[{"Number":"100"}]}`)
		return true
	}

	users, err := threecx.GetAll[threecx.User](context.Background(), client, threecx.UsersPath, threecx.QueryOptions{}, 1)
	if err == nil {
		t.Fatalf("GetAll returned %d users, want an error", len(users))
	}
	if want := fmt.Sprintf("did not end after %d pages", threecx.MaxPages); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if got := requests.Load(); got != threecx.MaxPages {
		t.Errorf("sent %d requests, want %d", got, threecx.MaxPages)
	}
}

func TestGetAllRejects(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		pageSize int
		want     string
	}{
		{"no value array", `{"@odata.context":"x"}`, 100, "no value array"},
		{"value not an array", `{"value":{"Number":"100"}}`, 100, "invalid response"},
		{"zero page size", `{"value":[]}`, 0, "invalid page size 0"},
		{"negative page size", `{"value":[]}`, -5, "invalid page size -5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())
			fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != threecx.APIPrefix+threecx.UsersPath {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body)
				return true
			}

			_, err := threecx.GetAll[threecx.User](context.Background(), client, threecx.UsersPath, threecx.QueryOptions{}, tt.pageSize)
			if err == nil {
				t.Fatal("GetAll succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestUsersLiveState(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	_, client := newDirectoryClient(t, dir)

	users, err := client.Users(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(dir.Extensions) {
		t.Fatalf("got %d users, want %d", len(users), len(dir.Extensions))
	}
	for i, e := range dir.Extensions {
		u := users[i]
		if u.Number != e.Number {
			t.Errorf("user %d: Number = %q, want %q", i, u.Number, e.Number)
		}
		if u.Name() != e.Name {
			t.Errorf("user %s: Name() = %q, want %q", e.Number, u.Name(), e.Name)
		}
		if u.IsRegistered == nil || *u.IsRegistered != e.Registered {
			t.Errorf("user %s: IsRegistered = %v, want %t", e.Number, u.IsRegistered, e.Registered)
		}
		if got := u.QueueStatus == threecx.QueueStatusLoggedIn; got != e.QueueLoggedIn {
			t.Errorf("user %s: QueueStatus = %q, want logged in %t", e.Number, u.QueueStatus, e.QueueLoggedIn)
		}
		if u.CurrentProfileName != e.Profile {
			t.Errorf("user %s: CurrentProfileName = %q, want %q", e.Number, u.CurrentProfileName, e.Profile)
		}
	}
}

func TestUserName(t *testing.T) {
	tests := []struct {
		name string
		user threecx.User
		want string
	}{
		{"display name", threecx.User{DisplayName: "Zoë", FirstName: "Z", LastName: "O"}, "Zoë"},
		{"first and last", threecx.User{FirstName: "Anna", LastName: "Schmidt"}, "Anna Schmidt"},
		{"first only", threecx.User{FirstName: "Anna"}, "Anna"},
		{"last only", threecx.User{LastName: "Schmidt"}, "Schmidt"},
		{"none", threecx.User{Number: "100"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.user.Name(); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUsersTopOver100Rejected(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())

	var page struct{ Value []threecx.User }
	err := client.Get(context.Background(), threecx.UsersPath, threecx.QueryOptions{Top: threecx.UsersPageSize + 1}, &page)
	var apiErr *threecx.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /Users with $top=%d: error %v, want HTTP 400", threecx.UsersPageSize+1, err)
	}
}

func TestQueuesAgentsOnlyWhenExpanded(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	_, client := newDirectoryClient(t, dir)

	plain, err := client.Queues(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expanded, err := client.Queues(context.Background(), threecx.QueryOptions{Expand: []string{"Agents"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != len(dir.Queues) || len(expanded) != len(dir.Queues) {
		t.Fatalf("got %d and %d queues, want %d", len(plain), len(expanded), len(dir.Queues))
	}

	for i, q := range dir.Queues {
		if plain[i].Number != q.Number || plain[i].Name != q.Name {
			t.Errorf("queue %d = %q %q, want %q %q", i, plain[i].Number, plain[i].Name, q.Number, q.Name)
		}
		if plain[i].SLATime == nil || int(*plain[i].SLATime) != q.SLATime {
			t.Errorf("queue %s: SLATime = %v, want %d", q.Number, plain[i].SLATime, q.SLATime)
		}
		if len(plain[i].Agents) != 0 {
			t.Errorf("queue %s: %d agents without $expand, want none", q.Number, len(plain[i].Agents))
		}
		var agents []string
		for _, a := range expanded[i].Agents {
			agents = append(agents, a.Number)
		}
		if !slices.Equal(agents, q.Agents) {
			t.Errorf("queue %s: agents %q, want %q", q.Number, agents, q.Agents)
		}
	}
}

func TestSystemStatusFields(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	_, client := newDirectoryClient(t, dir)

	status, err := client.SystemStatus(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, e := range dir.Extensions {
		if e.Registered {
			registered++
		}
	}

	checkInt := func(field string, got *int32, want int) {
		t.Helper()
		if got == nil || int(*got) != want {
			t.Errorf("%s = %v, want %d", field, got, want)
		}
	}
	checkInt("MaxSimCalls", status.MaxSimCalls, dir.System.MaxSimCalls)
	checkInt("ExtensionsTotal", status.ExtensionsTotal, len(dir.Extensions))
	checkInt("ExtensionsRegistered", status.ExtensionsRegistered, registered)
	checkInt("TrunksTotal", status.TrunksTotal, len(dir.Trunks))
	checkInt("MaxUserExtensions", status.MaxUserExtensions, dir.System.MaxUserExtensions)
	if status.Version == nil || *status.Version != dir.System.Version {
		t.Errorf("Version = %v, want %q", status.Version, dir.System.Version)
	}
	if status.ExpirationDate == nil || !status.ExpirationDate.Equal(dir.System.LicenseExpires) {
		t.Errorf("ExpirationDate = %v, want %s", status.ExpirationDate, dir.System.LicenseExpires)
	}
	if status.FreeDiskSpace == nil || *status.FreeDiskSpace != dir.System.FreeDiskSpace {
		t.Errorf("FreeDiskSpace = %v, want %d", status.FreeDiskSpace, dir.System.FreeDiskSpace)
	}
}

func TestSystemStatusSelect(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())

	status, err := client.SystemStatus(context.Background(), threecx.QueryOptions{Select: []string{"CallsActive"}})
	if err != nil {
		t.Fatal(err)
	}
	if status.CallsActive == nil {
		t.Error("CallsActive is missing although selected")
	}
	if status.MaxSimCalls != nil {
		t.Errorf("MaxSimCalls = %d although not selected, want nil", *status.MaxSimCalls)
	}
}

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
			var page struct{ Value []threecx.AgentInQueueStatistics }
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

	var page struct{ Value []threecx.AgentInQueueStatistics }
	err := client.Get(context.Background(), path, threecx.QueryOptions{}, &page)
	var apiErr *threecx.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		t.Errorf("error %v, want HTTP 404", err)
	}
}

func TestExtensionStatisticsEmptyGroup(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

	rows, err := client.ExtensionStatistics(context.Background(), threecx.ExtensionStatisticsQuery{From: from, To: from.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("got %d rows for group '', want none, as on a real PBX", len(rows))
	}
}

func TestExtensionStatisticsRows(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	fake, client := newDirectoryClient(t, dir)
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	to := from.Add(4 * time.Hour)
	fake.Now = func() time.Time { return to }

	rows, err := client.ExtensionStatistics(context.Background(), threecx.ExtensionStatisticsQuery{
		GroupNumber: "GRP0001", From: from, To: to, CallArea: threecx.CallAreaAll,
	})
	if err != nil {
		t.Fatal(err)
	}

	log := threecxtest.CallLog{Directory: &dir}
	members := dir.Members("GRP0001")
	if len(rows) != len(members) {
		t.Fatalf("got %d rows, want one per member of GRP0001, %d", len(rows), len(members))
	}
	for i, number := range members {
		var inAnswered int64
		var inTalk time.Duration
		for _, c := range log.Calls([]string{number}, from, to) {
			if c.Inbound && c.Answered {
				inAnswered++
				inTalk += c.Talk
			}
		}
		if rows[i].Dn != number {
			t.Errorf("row %d: Dn = %q, want %q", i, rows[i].Dn, number)
		}
		if rows[i].InboundAnsweredCount != inAnswered {
			t.Errorf("%s: InboundAnsweredCount = %d, want %d", number, rows[i].InboundAnsweredCount, inAnswered)
		}
		seconds, err := rows[i].InboundAnsweredTalkingDur.Seconds()
		if err != nil {
			t.Errorf("%s: %v", number, err)
		}
		if want := inTalk.Seconds(); seconds < want-1e-6 || seconds > want+1e-6 {
			t.Errorf("%s: inbound talk %v s, want %v s", number, seconds, want)
		}
	}
}
