package threecx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func newFakeClient(t *testing.T, secret string) (*threecx.Client, *threecxtest.Server) {
	t.Helper()
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)

	client, err := threecx.New(threecx.Options{
		BaseURL:      server.URL,
		ClientID:     threecxtest.DefaultClientID,
		ClientSecret: secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return client, fake
}

func dayQuery() threecx.UserActivityQuery {
	now := time.Now()
	return threecx.UserActivityQuery{TimeZone: "UTC", From: now.Add(-time.Hour), To: now}
}

func TestTokenReusedAcrossRequests(t *testing.T) {
	client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)

	for i := 0; i < 5; i++ {
		if _, err := client.UserActivity(context.Background(), dayQuery()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for 5 API requests", got)
	}
}

func TestTokenFetchedOnceForConcurrentRequests(t *testing.T) {
	client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)

	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = client.UserActivity(context.Background(), dayQuery())
		})
	}
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	// A second token request would revoke the first token on a real PBX.
	if got := fake.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1 for 20 concurrent API requests", got)
	}
}

func TestTokenRevokedRecoveredWithOneRequest(t *testing.T) {
	client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)
	if _, err := client.UserActivity(context.Background(), dayQuery()); err != nil {
		t.Fatal(err)
	}

	fake.RevokeToken()
	if _, err := client.UserActivity(context.Background(), dayQuery()); err != nil {
		t.Fatalf("request after revocation: %v", err)
	}
	if got := fake.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2: the first and one after the 401", got)
	}
	if got := len(fake.Requests()); got != 3 {
		t.Errorf("API requests = %d, want 3: one, the rejected one and its retry", got)
	}
}

func TestTokenRefreshedWhenExpired(t *testing.T) {
	client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)
	// oauth2 treats a token as expired 10 s before its expiry, so 5 s is expired at once.
	fake.SetTokenTTL(5 * time.Second)

	for i := 0; i < 3; i++ {
		if _, err := client.UserActivity(context.Background(), dayQuery()); err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.TokenRequests(); got != 3 {
		t.Errorf("token requests = %d, want one per request while tokens expire at once", got)
	}
}

func TestWrongSecretIsTokenError(t *testing.T) {
	const secret = "wrong-secret-value"
	client, fake := newFakeClient(t, secret)

	_, err := client.UserActivity(context.Background(), dayQuery())
	var tokenErr *threecx.TokenError
	if !errors.As(err, &tokenErr) {
		t.Fatalf("err = %v, want a TokenError", err)
	}
	if !threecx.IsAuthError(err) {
		t.Error("IsAuthError = false for a rejected secret")
	}
	if threecx.IsAnswered(err) {
		t.Error("IsAnswered = true, but no API request was made")
	}
	if !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("error %q does not carry the OAuth error code", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains the secret", err)
	}
	if got := len(fake.Requests()); got != 0 {
		t.Errorf("API requests = %d, want 0 without a token", got)
	}
}

// TestRejectedTokenRetriedOnce checks that a PBX that rejects every token costs one refresh
// per request, not a loop.
func TestRejectedTokenRetriedOnce(t *testing.T) {
	client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/xapi/") {
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	}

	_, err := client.UserActivity(context.Background(), dayQuery())
	var apiErr *threecx.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want an APIError with status 401", err)
	}
	if !threecx.IsAuthError(err) {
		t.Error("IsAuthError = false for a 401")
	}
	if got := fake.TokenRequests(); got != 2 {
		t.Errorf("token requests = %d, want 2: the first and one refresh", got)
	}
}

func TestTokenWaitEndsWithContext(t *testing.T) {
	release := make(chan struct{})
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/connect/token" {
			<-release
		}
		return false
	}
	server := httptest.NewServer(fake)
	defer server.Close()
	defer close(release)

	client, err := threecx.New(threecx.Options{
		BaseURL: server.URL, ClientID: threecxtest.DefaultClientID, ClientSecret: threecxtest.DefaultClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = client.UserActivity(ctx, dayQuery())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
}

func TestUnreachableTokenEndpointIsNotAuthError(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	base := server.URL
	server.Close()

	client, err := threecx.New(threecx.Options{BaseURL: base, ClientID: "prometheus", ClientSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.UserActivity(context.Background(), dayQuery())
	var tokenErr *threecx.TokenError
	if !errors.As(err, &tokenErr) {
		t.Fatalf("err = %v, want a TokenError", err)
	}
	if threecx.IsAuthError(err) {
		t.Errorf("IsAuthError = true for a PBX that did not answer: %v", err)
	}
}

func TestTokenEndpointStatusAuthError(t *testing.T) {
	tests := []struct {
		status   int
		wantAuth bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusBadGateway, false},
		{http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			client, fake := newFakeClient(t, threecxtest.DefaultClientSecret)
			fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/connect/token" {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write([]byte(`{"error":"some_error"}`))
				return true
			}

			_, err := client.UserActivity(context.Background(), dayQuery())
			if err == nil {
				t.Fatal("the request worked without a token")
			}
			if got := threecx.IsAuthError(err); got != tt.wantAuth {
				t.Errorf("IsAuthError = %v for HTTP %d from the token endpoint, want %v: %v", got, tt.status, tt.wantAuth, err)
			}
		})
	}
}
