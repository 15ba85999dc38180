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

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultMaxBodyBytes is the largest response body a client reads unless told otherwise.
const DefaultMaxBodyBytes = 32 << 20

// APIPrefix is the path of the XAPI under a PBX's base URL.
const APIPrefix = "/xapi/v1"

// Options configure a Client.
type Options struct {
	// BaseURL is the PBX's address, such as https://pbx.example.com:5001.
	BaseURL      string
	ClientID     string
	ClientSecret string
	// HTTPClient sends every request, the token requests included. Nil means a client
	// with the default transport and no timeout, so the caller's context must end requests.
	HTTPClient *http.Client
	// MaxBodyBytes caps the size of a response body. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// UserAgent is sent with every API request when not empty.
	UserAgent string
	// OnTokenFetch, when set, is called after each token request with its error or nil.
	OnTokenFetch func(err error)
}

// Client calls the XAPI of one PBX. It holds the PBX's single access token and is safe for
// concurrent use.
type Client struct {
	baseURL      *url.URL
	httpClient   *http.Client
	maxBodyBytes int64
	userAgent    string
	tokens       *tokenCache
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

	httpClient := o.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{}
	}
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
		tokens:       newTokenCache(credentials, httpClient, o.OnTokenFetch),
	}, nil
}

// Get requests path (escaped, under /xapi/v1) with the query options and decodes the JSON
// answer into out. A 401 means 3CX revoked the token early, which it does when anything
// else logs in with the same client ID, so Get fetches one new token and retries once.
func (c *Client) Get(ctx context.Context, path string, query QueryOptions, out any) error {
	target := c.baseURL.String() + APIPrefix + path
	if encoded := query.Encode(); encoded != "" {
		target += "?" + encoded
	}

	for attempt := 0; ; attempt++ {
		token, err := c.tokens.Token(ctx)
		if err != nil {
			return err
		}

		err = c.get(ctx, target, token, out)
		var apiErr *APIError
		if attempt == 0 && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized {
			c.tokens.Invalidate(token)
			continue
		}
		return err
	}
}

func (c *Client) get(ctx context.Context, target string, token *oauth2.Token, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	token.SetAuthHeader(req)

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	body, readErr := c.readBody(resp.Body)
	contentType := resp.Header.Get("Content-Type")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newAPIError(resp.StatusCode, contentType, body)
	}
	if readErr != nil {
		return &DecodeError{StatusCode: resp.StatusCode, ContentType: contentType, Body: body, Err: readErr}
	}
	if !isJSON(contentType) {
		return &DecodeError{
			StatusCode:  resp.StatusCode,
			ContentType: contentType,
			Body:        body,
			Err:         errors.New("content type is not JSON"),
		}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &DecodeError{StatusCode: resp.StatusCode, ContentType: contentType, Body: body, Err: err}
	}
	return nil
}

// readBody reads at most maxBodyBytes. It returns what it read along with any error, so
// that an error message can quote the start of a truncated body.
func (c *Client) readBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, c.maxBodyBytes+1))
	if err != nil {
		return body, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > c.maxBodyBytes {
		return body[:c.maxBodyBytes], fmt.Errorf("body exceeds the limit of %d bytes", c.maxBodyBytes)
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
