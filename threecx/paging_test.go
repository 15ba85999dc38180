package threecx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

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
	if want := "the page at $skip=1 repeats the one before it"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if got := requests.Load(); got != 2 {
		t.Errorf("sent %d requests, want 2: the first page and its repeat", got)
	}
}

func TestGetAllPagesThatNeverEnd(t *testing.T) {
	fake, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	// This PBX sends a new full page for every $skip, forever.
	var requests atomic.Int64
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != threecx.APIPrefix+threecx.UsersPath {
			return false
		}
		n := requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"value":[{"Number":"%d"}]}`, n)
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
