package threecx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// activeCallsClient returns a client of a fake PBX whose /ActiveCalls is served by serve
// and whose other paths are the fake's own.
func activeCallsClient(t *testing.T, fake *threecxtest.Server, serve func(w http.ResponseWriter, r *http.Request)) *threecx.Client {
	t.Helper()
	if serve != nil {
		fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != threecx.APIPrefix+threecx.ActiveCallsPath {
				return false
			}
			serve(w, r)
			return true
		}
	}
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
	return client
}

func TestActiveCallsPagesThroughCount(t *testing.T) {
	now := time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)
	fake := threecxtest.NewServer(threecxtest.GeneratedDirectory(1000))
	fake.Now = func() time.Time { return now }
	want := fake.ActiveCalls(now)
	if len(want) <= threecx.ActiveCallsPageSize {
		t.Fatalf("the fake has %d active calls, too few to need a second page", len(want))
	}

	calls, err := activeCallsClient(t, fake, nil).ActiveCalls(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != len(want) {
		t.Fatalf("got %d calls, want %d", len(calls), len(want))
	}
	for i, c := range calls {
		if c.ID != want[i].ID || c.Callee != want[i].Callee || c.Status != want[i].Status {
			t.Errorf("call %d = id %d, callee %q, status %q; want id %d, callee %q, status %q",
				i, c.ID, c.Callee, c.Status, want[i].ID, want[i].Callee, want[i].Status)
		}
		if c.LastChangeStatus == nil || !c.LastChangeStatus.Equal(want[i].LastChangeStatus) {
			t.Errorf("call %d LastChangeStatus = %v, want %v", i, c.LastChangeStatus, want[i].LastChangeStatus)
		}
		if c.ServerNow == nil || !c.ServerNow.Equal(now) {
			t.Errorf("call %d ServerNow = %v, want %v", i, c.ServerNow, now)
		}
	}
}

// pagedCalls serves n calls with IDs from 1, at most limit per page, honouring $skip when
// skip is true, and with @odata.count when count is true.
func pagedCalls(n, limit int, skip, count bool) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		first := 0
		if skip {
			first, _ = strconv.Atoi(r.URL.Query().Get("$skip"))
		}
		rows := []map[string]any{}
		for id := first + 1; id <= n && len(rows) < limit; id++ {
			rows = append(rows, map[string]any{"Id": id, "Callee": "800", "Status": "Ringing"})
		}
		body := map[string]any{"value": rows}
		if count {
			body["@odata.count"] = n
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}
}

func TestActiveCallsPaging(t *testing.T) {
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		want  int
	}{
		{"pages of 100 with count", pagedCalls(250, 100, true, true), 250},
		{"pages of 50 with count", pagedCalls(120, 50, true, true), 120},
		{"no count ends at a short page", pagedCalls(150, 100, true, false), 150},
		{"skip ignored", pagedCalls(250, 100, false, true), 100},
		{"empty", pagedCalls(0, 100, true, true), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := threecxtest.NewServer(threecxtest.DemoDirectory())
			calls, err := activeCallsClient(t, fake, tt.serve).ActiveCalls(context.Background(), threecx.QueryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != tt.want {
				t.Errorf("got %d calls, want %d", len(calls), tt.want)
			}
		})
	}
}

func TestActiveCallsDecodeErrorWithholdsBody(t *testing.T) {
	const caller = "+4930123" + "4567"
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	client := activeCallsClient(t, fake, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"value":[{"Id":1,"Caller":%q,"LastChangeStatus":"not a time"}]}`, caller)
	})

	_, err := client.ActiveCalls(context.Background(), threecx.QueryOptions{})
	if err == nil {
		t.Fatal("ActiveCalls accepted an invalid LastChangeStatus")
	}
	if got := err.Error(); strings.Contains(got, caller) {
		t.Errorf("the error quotes the caller's number: %s", got)
	}
}
