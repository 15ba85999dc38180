package threecx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// TokenError is a failure to obtain an access token from /connect/token.
type TokenError struct {
	Err error
}

// Error returns the HTTP status and the OAuth error code and description of the token
// endpoint's answer, or the cause when there was no answer.
func (e *TokenError) Error() string {
	var retrieve *oauth2.RetrieveError
	if errors.As(e.Err, &retrieve) {
		// The OAuth error body holds no token, but it is not needed either: the code and
		// description say what went wrong.
		status := 0
		if retrieve.Response != nil {
			status = retrieve.Response.StatusCode
		}
		msg := fmt.Sprintf("token request failed with HTTP %d", status)
		if retrieve.ErrorCode != "" {
			msg += ": " + retrieve.ErrorCode
		}
		if retrieve.ErrorDescription != "" {
			msg += ": " + retrieve.ErrorDescription
		}
		return msg
	}
	return "token request failed: " + describeTransportError(e.Err).Error()
}

// Unwrap returns the cause.
func (e *TokenError) Unwrap() error { return e.Err }

// tokenCache holds the one access token of a client. 3CX keeps one live token per client
// ID, and a second token request can revoke the first, so fetches are serialised: the lock
// is a channel so that a caller waiting for another's fetch can give up when its context
// ends.
type tokenCache struct {
	config     clientcredentials.Config
	httpClient *http.Client
	onFetch    func(err error)

	lock chan struct{}
	// mu guards token, which Invalidate clears without waiting for a fetch in progress.
	mu    sync.Mutex
	token *oauth2.Token
	// fetches counts the fetches that have finished. failed is the error of the last one
	// when it failed other than by its caller's context, and is used with lock held.
	fetches  atomic.Uint64
	failed   *TokenError
	failedAt time.Time
	// retryDelay is how long failed stands for callers that did not wait for its fetch.
	retryDelay time.Duration
}

func newTokenCache(config clientcredentials.Config, httpClient *http.Client, onFetch func(error),
	retryDelay time.Duration) *tokenCache {
	return &tokenCache{
		config:     config,
		httpClient: httpClient,
		onFetch:    onFetch,
		retryDelay: retryDelay,
		lock:       make(chan struct{}, 1),
	}
}

// Token returns the cached token while it is valid, and otherwise fetches a new one. A
// caller that waited while a fetch failed gets that fetch's error instead of fetching
// again, so that concurrent requests send a rejected secret once rather than each in turn.
func (c *tokenCache) Token(ctx context.Context) (*oauth2.Token, error) {
	started := c.fetches.Load()
	select {
	case c.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, &TokenError{Err: ctx.Err()}
	}
	defer func() { <-c.lock }()

	// NOTE: PBXs before 20.0.9 send expires_in in minutes, which this reads as seconds. The
	// token is then refreshed sixty times too often, which costs a request but no scrape.
	if token := c.cached(); token.Valid() {
		return token, nil
	}
	// The failure stands for the callers that waited for it, and for later callers while
	// the retry delay lasts.
	if c.failed != nil && (c.fetches.Load() != started || time.Since(c.failedAt) < c.retryDelay) {
		return nil, c.failed
	}

	token, err := c.config.Token(context.WithValue(ctx, oauth2.HTTPClient, c.httpClient))
	c.fetches.Add(1)
	if c.onFetch != nil {
		c.onFetch(err)
	}
	if err != nil {
		tokenErr := &TokenError{Err: err}
		c.failed = tokenErr
		c.failedAt = time.Now()
		// A fetch cut short by its caller's context is no reason to fail the callers waiting.
		if ctx.Err() != nil {
			c.failed = nil
		}
		return nil, tokenErr
	}
	c.failed = nil
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
	return token, nil
}

func (c *tokenCache) cached() *oauth2.Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// Invalidate drops old if it is still the cached token, so that the next Token call fetches
// a new one. A token that another caller already replaced is left alone. It does not wait
// for a fetch in progress.
func (c *tokenCache) Invalidate(old *oauth2.Token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == old {
		c.token = nil
	}
}
