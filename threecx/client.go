// Package threecx is a client for the XAPI of 3CX v20: OAuth2 client credentials, OData
// function URLs, and the JSON of the reports and live state the exporter reads.
package threecx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultMaxBodyBytes is the largest response body a client reads when Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 32 << 20

// errorBodyBytes caps how much of a body outside 2xx is read: enough for an OData error
// object, and an error message quotes only its start.
const errorBodyBytes = 64 << 10

// APIPrefix is the path of the XAPI under a PBX's base URL.
const APIPrefix = "/xapi/v1"

// Retry limits. 429 and 503 mean the PBX is busy, so they are retried a few times. Another
// 5xx may be a passing fault and is retried once, and other errors are not retried.
const (
	maxBusyRetries   = 3
	maxServerRetries = 1
	// retryBackoff is the first wait when the PBX sends no Retry-After; it doubles for
	// each further retry.
	retryBackoff = 250 * time.Millisecond
	// maxWaitWithoutDeadline caps a wait when the caller's context has no deadline.
	maxWaitWithoutDeadline = 10 * time.Second
)

// Options configure a Client.
type Options struct {
	// BaseURL is the PBX's address, such as https://pbx.example.com:5001.
	BaseURL      string
	ClientID     string
	ClientSecret string
	// HTTPClient sends every request, the token requests included. Nil means a client
	// with the default transport and no timeout, so the caller's context must end requests.
	// The client works on a copy whose CheckRedirect rejects a redirect to another host.
	HTTPClient *http.Client
	// MaxBodyBytes caps the size of a response body. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// UserAgent is sent with every API request when not empty.
	UserAgent string
	// OnTokenFetch, when set, is called after each token request with its error or nil.
	OnTokenFetch func(err error)
	// TokenRetryDelay is how long the error of a failed token request is returned to later
	// requests before another token request is sent. Zero means DefaultTokenRetryDelay, and
	// a negative value sends a token request every time.
	TokenRetryDelay time.Duration
	// OnRequest, when set, is called after each API request, retries included, with the
	// endpoint (the function or entity set name, such as "GetUserActivity" or "Users"),
	// the HTTP status (0 when no response arrived) and the time until the body was read.
	OnRequest func(endpoint string, status int, elapsed time.Duration)
}

// DefaultTokenRetryDelay is how long a failed token request stands for the requests after
// it. A rejected secret is then sent about once per scrape at common scrape intervals,
// rather than once per report.
const DefaultTokenRetryDelay = 10 * time.Second

func tokenRetryDelay(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultTokenRetryDelay
	case d < 0:
		return 0
	}
	return d
}

// Client calls the XAPI of one PBX. It holds the PBX's single access token and is safe for
// concurrent use.
type Client struct {
	baseURL      *url.URL
	httpClient   *http.Client
	maxBodyBytes int64
	userAgent    string
	tokens       *tokenCache
	onRequest    func(endpoint string, status int, elapsed time.Duration)

	mu sync.Mutex
	// pausedUntil is when the PBX's last Retry-After ends. No request is sent before then.
	pausedUntil time.Time
}

// New returns a client for the PBX at o.BaseURL. It makes no request.
func New(o Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q: %w", o.BaseURL, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: want http:// or https:// and a host", o.BaseURL)
	}

	httpClient := &http.Client{}
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		httpClient = &copied
	}
	httpClient.CheckRedirect = sameOriginRedirect(base)
	maxBody := o.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}

	credentials := clientcredentials.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		TokenURL:     base.String() + "/connect/token",
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	return &Client{
		baseURL:      base,
		httpClient:   httpClient,
		maxBodyBytes: maxBody,
		userAgent:    o.UserAgent,
		tokens:       newTokenCache(credentials, httpClient, o.OnTokenFetch, tokenRetryDelay(o.TokenRetryDelay)),
		onRequest:    o.OnRequest,
	}, nil
}

// Get requests path (escaped, under /xapi/v1) with the query options and decodes the JSON
// answer into out.
//
// A 401 means 3CX revoked the token early, which it does when anything else logs in with
// the same client ID, so Get fetches one new token and retries once. 429 and 503 are
// retried up to three times after the Retry-After the PBX sent, or after 250 ms doubling,
// another 5xx once after 250 ms. A retry is made only when its wait and another attempt
// as long as the last one fit before the deadline of ctx. Other errors are not retried.
func (c *Client) Get(ctx context.Context, path string, query QueryOptions, out any) error {
	target := c.baseURL.String() + APIPrefix + path
	if encoded := query.Encode(); encoded != "" {
		target += "?" + encoded
	}
	endpoint := EndpointName(path)

	var refreshed bool
	var busyRetries, serverRetries int
	for {
		if err := c.waitForPause(ctx); err != nil {
			return err
		}
		token, err := c.tokens.Token(ctx)
		if err != nil {
			return err
		}

		start := time.Now()
		err = c.get(ctx, endpoint, target, token, out)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			return err
		}

		var wait time.Duration
		switch status := apiErr.StatusCode; {
		case status == http.StatusUnauthorized && !refreshed:
			refreshed = true
			c.tokens.Invalidate(token)
			continue
		case (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) &&
			busyRetries < maxBusyRetries:
			wait = backoff(busyRetries)
			if apiErr.RetryAfter > 0 {
				wait = apiErr.RetryAfter
				c.pause(wait)
			}
			busyRetries++
		case status >= 500 && status != http.StatusServiceUnavailable && serverRetries < maxServerRetries:
			wait = backoff(serverRetries)
			serverRetries++
		default:
			return err
		}

		if reason := retryBlocked(ctx, wait, time.Since(start)); reason != "" {
			return fmt.Errorf("%w (not retried: %s)", err, reason)
		}
		if sleepErr := sleep(ctx, wait); sleepErr != nil {
			return fmt.Errorf("%w (retry abandoned: %w)", err, sleepErr)
		}
	}
}

func (c *Client) get(ctx context.Context, endpoint, target string, token *oauth2.Token, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	token.SetAuthHeader(req)

	start := time.Now()
	resp, err := c.httpClient.Do(req)
	if err != nil {
		c.observe(endpoint, 0, start)
		return describeTransportError(err)
	}
	defer resp.Body.Close()

	limit := c.maxBodyBytes
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = min(limit, errorBodyBytes)
	}
	body, readErr := readBody(resp.Body, limit)
	c.observe(endpoint, resp.StatusCode, start)
	return decodeResponse(resp.StatusCode, resp.Header, body, readErr, out)
}

// sameOriginRedirect returns a CheckRedirect that follows a redirect only to the scheme
// and host of base. A token request that follows a 307 or 308 sends the client secret
// again in its body, and an API request may send the access token, so neither may reach
// a host that is not the configured PBX.
func sameOriginRedirect(base *url.URL) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return fmt.Errorf("the PBX redirected to %s://%s, which is not the host in url:"+
				" set url to the address the PBX serves the API on", req.URL.Scheme, req.URL.Host)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

func (c *Client) observe(endpoint string, status int, start time.Time) {
	if c.onRequest != nil {
		c.onRequest(endpoint, status, time.Since(start))
	}
}

// decodeResponse turns one answer into out or into an *APIError or a *DecodeError.
// readErr is the error of reading body, which holds what was read before it.
func decodeResponse(status int, header http.Header, body []byte, readErr error, out any) error {
	contentType := header.Get("Content-Type")
	if status < 200 || status > 299 {
		return newAPIError(status, header, body)
	}
	if readErr != nil {
		return &DecodeError{StatusCode: status, ContentType: contentType, Body: body, Err: readErr}
	}
	if !isJSON(contentType) {
		return &DecodeError{
			StatusCode:  status,
			ContentType: contentType,
			Body:        body,
			Err:         errors.New("content type is not JSON"),
		}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &DecodeError{StatusCode: status, ContentType: contentType, Body: body, Err: err}
	}
	return nil
}

// readBody reads at most limit bytes. It returns what it read along with any error, so
// that an error message can quote the start of a truncated body.
func readBody(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return body, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return body[:limit], fmt.Errorf("body exceeds the limit of %d bytes (max_body_bytes)", limit)
	}
	return body, nil
}

func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// EndpointName returns the name of the function or entity set that an escaped request
// path calls, without parameter values: "GetUserActivity" for
// "/ReportUserActivity/Pbx.GetUserActivity(...)", "Users" for "/Users" or "/Users(12)".
func EndpointName(path string) string {
	name := strings.TrimPrefix(path, "/")
	if i := strings.LastIndex(name, "/Pbx."); i >= 0 {
		name = name[i+len("/Pbx."):]
	}
	if i := strings.IndexAny(name, "(/?"); i >= 0 {
		name = name[:i]
	}
	return name
}

// pause holds back every request of the client for d, because the PBX asked for it with a
// Retry-After.
func (c *Client) pause(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until := time.Now().Add(d); until.After(c.pausedUntil) {
		c.pausedUntil = until
	}
}

// waitForPause waits out a pause that the PBX asked for, or fails when the pause ends
// after the deadline of ctx.
func (c *Client) waitForPause(ctx context.Context) error {
	c.mu.Lock()
	wait := time.Until(c.pausedUntil)
	c.mu.Unlock()
	if wait <= 0 {
		return nil
	}

	if reason := retryBlocked(ctx, wait, 0); reason != "" {
		return fmt.Errorf("request not sent: the PBX asked with Retry-After to wait %s: %s",
			wait.Round(time.Millisecond), reason)
	}
	return sleep(ctx, wait)
}

// retryBlocked returns why a request after wait cannot be made within the deadline of
// ctx, or "" when it can. attempt is how long the last attempt took, the best guess of
// how long the next one takes.
func retryBlocked(ctx context.Context, wait, attempt time.Duration) string {
	deadline, ok := ctx.Deadline()
	if !ok {
		if wait > maxWaitWithoutDeadline {
			return fmt.Sprintf("a wait of %s exceeds %s", wait, maxWaitWithoutDeadline)
		}
		return ""
	}
	left := time.Until(deadline)
	if wait+attempt >= left {
		return fmt.Sprintf("a wait of %s and another attempt do not fit in the %s left before the deadline",
			wait.Round(time.Millisecond), left.Round(time.Millisecond))
	}
	return ""
}

func backoff(retry int) time.Duration {
	return retryBackoff << retry
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
