package threecxtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Default credentials of a fake PBX.
const (
	DefaultClientID     = "prometheus"
	DefaultClientSecret = "fake-secret"
)

// Request is a request the fake received, as sent on the wire.
type Request struct {
	Method string
	// Path is the escaped path, such as "/xapi/v1/ReportUserActivity/Pbx.GetUserActivity(...)".
	Path string
	// Query is the raw query string.
	Query string
}

// Server is a fake PBX. Serve it with net/http/httptest. The zero value is not usable: call
// NewServer.
type Server struct {
	Directory Directory
	Log       CallLog

	// Now is the fake's clock: calls after it have not happened yet.
	Now func() time.Time

	// Intercept, when set, sees every request first and answers it when it returns true.
	// Tests use it to inject faults.
	Intercept func(w http.ResponseWriter, r *http.Request) bool

	mu            sync.Mutex
	clientID      string
	clientSecret  string
	liveToken     string
	tokenTTL      time.Duration
	tokenRequests int
	requests      []Request
	inFlight      int
	maxInFlight   int
}

// NewServer returns a fake PBX for the directory, with the default credentials and the
// wall clock.
func NewServer(d Directory) *Server {
	s := &Server{
		Directory:    d,
		Now:          time.Now,
		clientID:     DefaultClientID,
		clientSecret: DefaultClientSecret,
		tokenTTL:     time.Hour,
	}
	s.Log = CallLog{Directory: &s.Directory}
	return s
}

// SetCredentials changes the client ID and secret the fake accepts.
func (s *Server) SetCredentials(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientID, s.clientSecret = clientID, clientSecret
}

// SetTokenTTL changes the expires_in of the tokens issued from now on.
func (s *Server) SetTokenTTL(ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = ttl
}

// RevokeToken invalidates the live token, as a real PBX does when anything else logs in
// with the same client ID.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.liveToken = ""
}

// TokenRequests returns how many token requests the fake has received.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// Requests returns the API requests received so far, token requests excluded.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxInFlight returns the largest number of API requests that were in progress at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// ServeHTTP answers the token endpoint and the XAPI.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/xapi/") {
		// A request is in flight from its arrival, so the time an Intercept holds it counts.
		s.enter()
		defer s.leave()
	}
	if s.Intercept != nil && s.Intercept(w, r) {
		return
	}

	if r.URL.Path == "/connect/token" {
		s.serveToken(w, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/xapi/v1/") {
		writeError(w, http.StatusNotFound, "NotFound", "no such path")
		return
	}

	s.begin(r)

	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "the fake PBX serves GET requests only")
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	s.route(w, r)
}

func (s *Server) begin(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery})
}

func (s *Server) enter() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
}

func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
}

func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	return ok && s.liveToken != "" && token == s.liveToken
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.tokenRequests++
	s.mu.Unlock()

	if r.Method != http.MethodPost {
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "want client_credentials")
		return
	}

	s.mu.Lock()
	valid := r.PostForm.Get("client_id") == s.clientID && r.PostForm.Get("client_secret") == s.clientSecret
	var token string
	if valid {
		// Only one token per client is live: issuing a new one revokes the old one.
		token = newToken()
		s.liveToken = token
	}
	ttl := s.tokenTTL
	s.mu.Unlock()

	if !valid {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "unknown client or wrong secret")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": token,
		"token_type":   "Bearer",
		"expires_in":   int(ttl / time.Second),
	})
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "fake." + hex.EncodeToString(b)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/xapi/v1")
	switch {
	case strings.HasPrefix(path, "/ReportUserActivity/Pbx.GetUserActivity("):
		s.serveUserActivity(w, r, path)
	case strings.HasPrefix(path, "/ReportUserActivity/Pbx.DownloadGetUserActivity("):
		s.serveDownloadUserActivity(w, r, path)
	case path == "/Trunks":
		s.serveTrunks(w, r)
	case path == "/Services":
		s.serveServices(w, r)
	case path == "/Sbcs":
		s.serveSBCs(w, r)
	case path == "/ActiveCalls":
		s.serveActiveCalls(w, r)
	case strings.HasPrefix(path, "/ReportStatisticSla/Pbx.GetStatisticSlaData("):
		s.serveStatisticSLA(w, r, path)
	case strings.HasPrefix(path, "/ReportDetailedQueueStatistics/Pbx.GetDetailedQueueStatisticsData("):
		s.serveDetailedQueueStatistics(w, r, path)
	case strings.HasPrefix(path, "/ReportAbandonedQueueCalls/Pbx.GetAbandonedQueueCallsData("):
		s.serveAbandonedQueueCalls(w, r, path)
	case path == "/SystemStatus":
		s.serveSystemStatus(w, r)
	case path == "/Users":
		s.serveUsers(w, r)
	case path == "/Queues":
		s.serveQueues(w, r)
	case strings.HasPrefix(path, "/ReportExtensionStatisticsByGroup/Pbx.GetExtensionStatisticsByGroupData("):
		s.serveExtensionStatistics(w, r, path)
	case strings.HasPrefix(path, "/ReportAgentsInQueueStatistics/Pbx.GetAgentsInQueueStatisticsData("):
		s.serveAgentsInQueue(w, r, path)
	default:
		writeError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no resource at %s", path))
	}
}

// writeCollection writes rows as an OData collection, with $skip and $top applied, and
// @odata.count when $count is requested.
func writeCollection[T any](w http.ResponseWriter, r *http.Request, rows []T) {
	opts, err := parseQueryOptions(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}

	count := len(rows)
	if opts.skip > 0 {
		rows = rows[min(opts.skip, len(rows)):]
	}
	if opts.top >= 0 && opts.top < len(rows) {
		rows = rows[:opts.top]
	}

	body := map[string]any{"value": rows}
	if opts.count {
		body["@odata.count"] = count
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true")
	json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message}})
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
