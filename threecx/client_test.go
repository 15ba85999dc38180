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

// faultClient is a client of a fake PBX whose requests first pass through a fault.
type faultClient struct {
	client  *threecx.Client
	fake    *threecxtest.Server
	counter *threecxtest.Counter
	// statuses are the statuses the client reported through OnRequest, in order.
	mu       sync.Mutex
	statuses []int
	endpoint string
}

func newFaultClient(t *testing.T, fault threecxtest.Fault, maxBody int64) *faultClient {
	t.Helper()
	fc := &faultClient{fake: threecxtest.NewServer(threecxtest.DemoDirectory()), counter: &threecxtest.Counter{}}
	fc.fake.Intercept = threecxtest.Chain(fc.counter.Fault(), fault)
	server := httptest.NewServer(fc.fake)
	t.Cleanup(server.Close)

	client, err := threecx.New(threecx.Options{
		BaseURL:      server.URL,
		ClientID:     threecxtest.DefaultClientID,
		ClientSecret: threecxtest.DefaultClientSecret,
		MaxBodyBytes: maxBody,
		OnRequest: func(endpoint string, status int, _ time.Duration) {
			fc.mu.Lock()
			defer fc.mu.Unlock()
			fc.statuses = append(fc.statuses, status)
			fc.endpoint = endpoint
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	fc.client = client
	return fc
}

func lastHourQuery() threecx.UserActivityQuery {
	now := time.Now()
	return threecx.UserActivityQuery{TimeZone: "UTC", From: now.Add(-time.Hour), To: now, ExtensionDN: "100"}
}

func header(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(pairs[i], pairs[i+1])
	}
	return h
}

func TestGetRetries(t *testing.T) {
	jsonError := header("Content-Type", "application/json")
	noWait := header("Retry-After", "0")
	tests := []struct {
		name         string
		fault        threecxtest.Fault
		wantRequests int
		wantErr      string
	}{
		{"429 once", threecxtest.First(1, threecxtest.Respond(429, noWait, "")), 2, ""},
		{"429 always", threecxtest.Respond(429, noWait, ""), 4, "HTTP 429"},
		{"503 twice without Retry-After", threecxtest.First(2, threecxtest.Respond(503, nil, "")), 3, ""},
		{"503 always", threecxtest.Respond(503, noWait, ""), 4, "HTTP 503"},
		{"500 once", threecxtest.First(1, threecxtest.Respond(500, nil, "")), 2, ""},
		{"500 always", threecxtest.Respond(500, jsonError, `{"error":{"code":"","message":"boom"}}`), 2, "boom"},
		{"502 always", threecxtest.Respond(502, nil, "bad gateway"), 2, "HTTP 502"},
		{"404", threecxtest.Respond(404, nil, ""), 1, "HTTP 404"},
		{"400", threecxtest.Respond(400, nil, ""), 1, "HTTP 400"},
		{"403", threecxtest.Respond(403, nil, ""), 1, "System Owner"},
		{"401 always", threecxtest.Respond(401, nil, ""), 2, "HTTP 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFaultClient(t, tt.fault, 0)

			_, err := fc.client.UserActivity(context.Background(), lastHourQuery())

			if got := fc.counter.API(); got != tt.wantRequests {
				t.Errorf("requests = %d, want %d", got, tt.wantRequests)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v, want success after the retries", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want one that contains %q", err, tt.wantErr)
			}
		})
	}
}

func TestGetUnauthorizedRefreshesTokenOnce(t *testing.T) {
	fc := newFaultClient(t, threecxtest.Respond(401, nil, ""), 0)

	_, err := fc.client.UserActivity(context.Background(), lastHourQuery())

	if !threecx.IsAuthError(err) {
		t.Errorf("IsAuthError(%v) = false, want true", err)
	}
	if got := fc.counter.Tokens(); got != 2 {
		t.Errorf("token requests = %d, want 2: the first token and one refresh", got)
	}
}

func TestGetWaitsForRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	record := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/xapi/") {
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
		}
		return false
	}
	fc := newFaultClient(t, threecxtest.Chain(record, threecxtest.First(1, threecxtest.Respond(429, header("Retry-After", "1"), ""))), 0)

	if _, err := fc.client.UserActivity(context.Background(), lastHourQuery()); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 2 {
		t.Fatalf("requests = %d, want 2", len(arrivals))
	}
	if gap := arrivals[1].Sub(arrivals[0]); gap < time.Second {
		t.Errorf("retry came %s after the 429, want at least the Retry-After of 1s", gap)
	}
}

func TestGetRetryAfterPastDeadline(t *testing.T) {
	fc := newFaultClient(t, threecxtest.Respond(429, header("Retry-After", "120"), ""), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_, err := fc.client.UserActivity(ctx, lastHourQuery())

	if err == nil || !strings.Contains(err.Error(), "not retried") {
		t.Errorf("err = %v, want one that says the request was not retried", err)
	}
	if ctx.Err() != nil {
		t.Error("Get waited until the deadline instead of giving up at once")
	}
	if got := fc.counter.API(); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}

	// The pause holds back the next request too, which must not reach the PBX.
	_, err = fc.client.UserActivity(ctx, lastHourQuery())
	if err == nil || !strings.Contains(err.Error(), "request not sent") {
		t.Errorf("second request: err = %v, want one that says it was not sent", err)
	}
	if got := fc.counter.API(); got != 1 {
		t.Errorf("requests after the second call = %d, want still 1", got)
	}
}

func TestGetBadBodies(t *testing.T) {
	html := header("Content-Type", "text/html; charset=utf-8")
	jsonType := header("Content-Type", "application/json")
	tests := []struct {
		name    string
		fault   threecxtest.Fault
		maxBody int64
		// wantErr are the parts the error message must contain.
		wantErr []string
	}{
		{"HTML login page", threecxtest.Respond(200, html, "<html><title>3CX Web Client</title></html>"), 0,
			[]string{"HTTP 200", `"text/html; charset=utf-8"`, "content type is not JSON", "<title>3CX Web Client</title>"}},
		{"HTML error page", threecxtest.Respond(404, html, "<html>Not Found</html>"), 0,
			[]string{"HTTP 404", `"text/html; charset=utf-8"`, "<html>Not Found</html>"}},
		{"truncated JSON", threecxtest.Respond(200, jsonType, `{"value":[{"DateTimeInterval":"2026-`), 0,
			[]string{"HTTP 200", "unexpected end of JSON input", `{\"value\":[{\"DateTimeInterval\":\"2026-`}},
		{"malformed JSON", threecxtest.Respond(200, jsonType, `{"value":[}`), 0,
			[]string{"HTTP 200", "invalid character '}'"}},
		{"wrong field type", threecxtest.Respond(200, jsonType, `{"value":[{"AnsweredCount":"seven"}]}`), 0,
			[]string{"HTTP 200", "cannot unmarshal string", "AnsweredCount"}},
		{"oversized body", threecxtest.Oversized(256 << 10), 64 << 10,
			[]string{"HTTP 200", "exceeds the limit of 65536 bytes"}},
		{"connection reset mid-body", threecxtest.ResetMidBody(`{"value":[{"DateTimeInterval":`), 0,
			[]string{"HTTP 200", "unexpected EOF", `{\"value\":[{\"DateTimeInterval\":`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFaultClient(t, tt.fault, tt.maxBody)

			_, err := fc.client.UserActivity(context.Background(), lastHourQuery())

			if err == nil {
				t.Fatal("err = nil, want the bad answer reported")
			}
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("err = %v\nwant it to contain %s", err, part)
				}
			}
			if !threecx.IsAnswered(err) {
				t.Errorf("IsAnswered = false, want true: the PBX answered with a valid token")
			}
		})
	}
}

func TestGetErrorRedactsTokens(t *testing.T) {
	body := `{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl","token_type":"Bearer"}`
	fc := newFaultClient(t, threecxtest.Respond(200, header("Content-Type", "text/plain"), body), 0)

	_, err := fc.client.UserActivity(context.Background(), lastHourQuery())

	if err == nil {
		t.Fatal("err = nil, want a decode error")
	}
	for _, secret := range []string{"eyJhbGciOiJSUzI1NiJ9", "c2lnbmF0dXJl"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("err contains the token part %q: %v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), "<redacted>") {
		t.Errorf("err = %v, want the token replaced by <redacted>", err)
	}
}

func TestGetReportsEachRequest(t *testing.T) {
	fc := newFaultClient(t, threecxtest.First(1, threecxtest.Respond(503, header("Retry-After", "0"), "")), 0)

	if _, err := fc.client.UserActivity(context.Background(), lastHourQuery()); err != nil {
		t.Fatal(err)
	}

	fc.mu.Lock()
	defer fc.mu.Unlock()
	if len(fc.statuses) != 2 || fc.statuses[0] != 503 || fc.statuses[1] != 200 {
		t.Errorf("statuses = %v, want [503 200]", fc.statuses)
	}
	if fc.endpoint != threecx.UserActivitySignature.Function {
		t.Errorf("endpoint = %q, want %q", fc.endpoint, threecx.UserActivitySignature.Function)
	}
}

func TestGetPBXDown(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	url := server.URL
	server.Close()
	client, err := threecx.New(threecx.Options{BaseURL: url, ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = client.UserActivity(context.Background(), lastHourQuery())

	var tokenErr *threecx.TokenError
	if !errors.As(err, &tokenErr) {
		t.Fatalf("err = %v, want a *TokenError", err)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v, want it to say the connection was refused", err)
	}
}

func TestEndpointName(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/ReportUserActivity/Pbx.GetUserActivity(clientTimeZone='UTC')", "GetUserActivity"},
		{"/Users", "Users"},
		{"/Users(12)", "Users"},
		{"/SystemStatus", "SystemStatus"},
		{"/ActiveCalls?$top=1", "ActiveCalls"},
		{"/Queues(3)/Pbx.GetQueueAgents()", "GetQueueAgents"},
	}
	for _, tt := range tests {
		if got := threecx.EndpointName(tt.path); got != tt.want {
			t.Errorf("EndpointName(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
