package threecx_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// recorder is a server on another port that stores what reaches it.
type recorder struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.bodies = append(rec.bodies, string(body))
	rec.auth = append(rec.auth, r.Header.Get("Authorization"))
	rec.mu.Unlock()
	http.Error(w, "not a PBX", http.StatusNotFound)
}

func (rec *recorder) requests() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.bodies)
}

// redirectingClient returns a client of a fake PBX that redirects each request whose path
// matches to the recorder, with the given status.
func redirectingClient(t *testing.T, status int, match func(path string) bool) (*threecx.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	other := httptest.NewServer(rec)
	t.Cleanup(other.Close)

	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !match(r.URL.Path) {
			return false
		}
		http.Redirect(w, r, other.URL+r.URL.Path, status)
		return true
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
	return client, rec
}

func TestTokenRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			client, rec := redirectingClient(t, status, func(path string) bool { return path == "/connect/token" })

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := client.Authenticate(ctx)
			if err == nil {
				t.Fatal("Authenticate worked through a redirect to another host")
			}
			if n := rec.requests(); n != 0 {
				t.Errorf("the other host got %d requests, want 0", n)
			}
			for _, body := range rec.bodies {
				if strings.Contains(body, threecxtest.DefaultClientSecret) {
					t.Errorf("the other host got the client secret in %q", body)
				}
			}
			if !strings.Contains(err.Error(), "redirect") {
				t.Errorf("error %q does not say that the PBX redirected", err)
			}
		})
	}
}

func TestAPIRedirectNotFollowed(t *testing.T) {
	client, rec := redirectingClient(t, http.StatusFound, func(path string) bool {
		return strings.HasPrefix(path, "/xapi/")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := client.Users(ctx, threecx.QueryOptions{})
	if err == nil {
		t.Fatal("Users worked through a redirect to another host")
	}
	if n := rec.requests(); n != 0 {
		t.Errorf("the other host got %d requests, want 0", n)
	}
	for _, auth := range rec.auth {
		if auth != "" {
			t.Errorf("the other host got an Authorization header")
		}
	}
	if !strings.Contains(err.Error(), "redirect") {
		t.Errorf("error %q does not say that the PBX redirected", err)
	}
}
