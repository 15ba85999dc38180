package threecxtest

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Fault is a function for Server.Intercept: it sees a request first and answers it when it
// returns true. The faults below act on XAPI requests only and let token requests through,
// unless their name says otherwise.
type Fault func(w http.ResponseWriter, r *http.Request) bool

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/xapi/")
}

// Delay holds each XAPI request for d, or until the client gives up, and then lets the
// fake answer it.
func Delay(d time.Duration) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r) {
			return false
		}
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			return false
		case <-r.Context().Done():
			return true
		}
	}
}

// Respond responds to every XAPI request with the status, headers and body.
func Respond(status int, header http.Header, body string) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r) {
			return false
		}
		for name, values := range header {
			w.Header()[name] = values
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
		return true
	}
}

// ResetMidBody responds to every XAPI request with a 200 whose Content-Length promises more
// than prefix, sends prefix and then closes the connection.
func ResetMidBody(prefix string) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(prefix)+1024))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(prefix))
		w.(http.Flusher).Flush()

		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
}

// Oversized responds to every XAPI request with a valid JSON collection of n bytes or a little
// more, padded with spaces.
func Oversized(n int) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r) {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"value":[`))
		padding := []byte(strings.Repeat(" ", 64<<10))
		for written := 0; written < n; written += len(padding) {
			if _, err := w.Write(padding); err != nil {
				return true
			}
		}
		w.Write([]byte(`]}`))
		return true
	}
}

// First applies fault to the first n XAPI requests and lets the others through.
func First(n int, fault Fault) Fault {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r) || seen.Add(1) > int64(n) {
			return false
		}
		return fault(w, r)
	}
}

// Chain applies the faults in order until one answers.
func Chain(faults ...Fault) Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		for _, fault := range faults {
			if fault(w, r) {
				return true
			}
		}
		return false
	}
}

// Counter counts the requests that reach it, token requests included, and answers none.
// Put it first in a Chain to count what faults answer before the fake sees it.
type Counter struct {
	api    atomic.Int64
	tokens atomic.Int64
}

// Fault returns the counting fault.
func (c *Counter) Fault() Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if isAPI(r) {
			c.api.Add(1)
		} else if r.URL.Path == "/connect/token" {
			c.tokens.Add(1)
		}
		return false
	}
}

// API returns the number of XAPI requests counted.
func (c *Counter) API() int { return int(c.api.Load()) }

// Tokens returns the number of token requests counted.
func (c *Counter) Tokens() int { return int(c.tokens.Load()) }
