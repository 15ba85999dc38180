package collector

import (
	"net/http"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

// NewClient returns an XAPI client of the target tc, with its TLS settings, body limit and
// the user agent, for commands that talk to a PBX outside of scrapes.
func NewClient(tc *config.Target, userAgent string) (*threecx.Client, error) {
	return threecx.New(clientOptions(tc, NewHTTPClient(tc), userAgent))
}

func clientOptions(tc *config.Target, httpClient *http.Client, userAgent string) threecx.Options {
	return threecx.Options{
		BaseURL:      tc.URL,
		ClientID:     tc.ClientID,
		ClientSecret: string(tc.Secret),
		HTTPClient:   httpClient,
		MaxBodyBytes: tc.MaxBodyBytes,
		UserAgent:    userAgent,
	}
}

// NewHTTPClient returns the HTTP client of one target, with the target's TLS settings and
// enough idle connections for its max_concurrency requests and a token request.
func NewHTTPClient(tc *config.Target) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if tc.TLS != nil {
		transport.TLSClientConfig = tc.TLS.Clone()
	}
	transport.MaxIdleConnsPerHost = tc.MaxConcurrency + 1
	return &http.Client{Transport: transport}
}

// Close closes the idle connections of the target's own HTTP client. Call it when the
// target is dropped; scrapes still running finish normally.
func (t *Target) Close() {
	if t.ownClient != nil {
		t.ownClient.CloseIdleConnections()
	}
}
