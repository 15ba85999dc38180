package threecx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// TestRejectedSecretSharedByWaiters checks that requests waiting for a token fetch that
// the PBX rejects get its error, instead of each sending the wrong secret again.
func TestRejectedSecretSharedByWaiters(t *testing.T) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	// A slow token endpoint keeps the first fetch in progress while the others queue.
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/connect/token" {
			time.Sleep(200 * time.Millisecond)
		}
		return false
	}
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client, err := threecx.New(threecx.Options{
		BaseURL: server.URL, ClientID: threecxtest.DefaultClientID, ClientSecret: "wrong-secret",
	})
	if err != nil {
		t.Fatal(err)
	}

	const requests = 8
	errs := make([]error, requests)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, errs[i] = client.UserActivity(ctx, dayQuery())
		})
	}
	wg.Wait()

	for i, err := range errs {
		var tokenErr *threecx.TokenError
		if !errors.As(err, &tokenErr) {
			t.Errorf("request %d: err = %v, want a TokenError", i, err)
		}
	}
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for %d requests that waited for the same fetch", got, requests)
	}
}

// TestTokenFetchedAgainAfterFailure checks that a request that starts after a failed fetch
// has ended tries again, so a corrected secret or a recovered PBX is picked up.
func TestTokenFetchedAgainAfterFailure(t *testing.T) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	server := httptest.NewServer(fake)
	defer server.Close()
	// A retry delay of a nanosecond has passed by the next request.
	client, err := threecx.New(threecx.Options{
		BaseURL: server.URL, ClientID: threecxtest.DefaultClientID, ClientSecret: threecxtest.DefaultClientSecret,
		TokenRetryDelay: time.Nanosecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	fake.SetCredentials(threecxtest.DefaultClientID, "rotated-secret")

	if _, err := client.UserActivity(context.Background(), dayQuery()); err == nil {
		t.Fatal("the request worked with a rejected secret")
	}
	fake.SetCredentials(threecxtest.DefaultClientID, threecxtest.DefaultClientSecret)
	if _, err := client.UserActivity(context.Background(), dayQuery()); err != nil {
		t.Errorf("the request after the PBX accepts the secret again failed: %v", err)
	}
	if got := fake.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}

// TestTokenFailureStandsForRetryDelay checks that the requests after a failed token
// request get its error without another token request while the retry delay lasts, so
// that the reports of one scrape send a rejected secret once.
func TestTokenFailureStandsForRetryDelay(t *testing.T) {
	client, fake := newFakeClient(t, "wrong-secret")

	var errs []error
	for i := 0; i < 8; i++ {
		_, err := client.UserActivity(context.Background(), dayQuery())
		errs = append(errs, err)
	}
	for i, err := range errs {
		if !threecx.IsAuthError(err) {
			t.Errorf("request %d: err = %v, want the rejected secret", i, err)
		}
	}
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d for 8 requests within the retry delay, want 1", got)
	}
}

// TestTokenDeadlineNotShared checks that a fetch that ends with its caller's deadline does
// not fail a waiter that has time left.
func TestTokenDeadlineNotShared(t *testing.T) {
	arrived := make(chan struct{}, 1)
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/connect/token" {
			select {
			case arrived <- struct{}{}:
			default:
			}
			time.Sleep(200 * time.Millisecond)
		}
		return false
	}
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	client, err := threecx.New(threecx.Options{
		BaseURL: server.URL, ClientID: threecxtest.DefaultClientID, ClientSecret: threecxtest.DefaultClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}

	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	long, cancelLong := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelLong()

	var shortErr, longErr error
	var wg sync.WaitGroup
	wg.Go(func() { shortErr = client.Authenticate(short) })
	// The short caller's fetch is at the PBX, so the long caller waits for it.
	<-arrived
	wg.Go(func() { longErr = client.Authenticate(long) })
	wg.Wait()

	if !errors.Is(shortErr, context.DeadlineExceeded) {
		t.Errorf("short caller: err = %v, want its deadline", shortErr)
	}
	if longErr != nil {
		t.Errorf("long caller: err = %v, want a token", longErr)
	}
}
