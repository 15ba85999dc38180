package threecx_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

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
