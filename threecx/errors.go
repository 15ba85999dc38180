package threecx

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"
)

// snippetBytes is how much of a body an error message quotes.
const snippetBytes = 200

// APIError is an answer of the XAPI with a status outside 2xx.
type APIError struct {
	StatusCode  int
	ContentType string
	// Code and Message come from the OData error object, when the body holds one.
	Code    string
	Message string
	// Body is the start of the body with anything that looks like a token removed.
	Body string
	// RetryAfter is the wait the PBX asked for in its Retry-After header, or 0.
	RetryAfter time.Duration
}

func newAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{
		StatusCode:  status,
		ContentType: header.Get("Content-Type"),
		RetryAfter:  parseRetryAfter(header.Get("Retry-After"), time.Now()),
	}

	var odata struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &odata) == nil && odata.Error.Message != "" {
		e.Code = odata.Error.Code
		e.Message = odata.Error.Message
	} else {
		e.Body = Snippet(body)
	}
	return e
}

// Error returns the status, with a hint for 401 and 403, and the PBX's message or the start
// of the body.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	switch e.StatusCode {
	case http.StatusUnauthorized:
		msg += " (the access token was rejected)"
	case http.StatusForbidden:
		msg += " (the API client's role lacks the right to this endpoint, or the client" +
			" address is not allowed; some reports need the System Owner role)"
	}
	if e.Message != "" {
		if e.Code != "" {
			return msg + ": " + e.Code + ": " + e.Message
		}
		return msg + ": " + e.Message
	}
	if e.Body != "" {
		return fmt.Sprintf("%s, content type %q, body starts %q", msg, e.ContentType, e.Body)
	}
	return msg
}

// parseRetryAfter reads a Retry-After value, either seconds or an HTTP date, as a wait from
// now. A missing, invalid or past value is 0.
func parseRetryAfter(value string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if seconds, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32); err == nil {
		return time.Duration(max(seconds, 0)) * time.Second
	}
	if date, err := http.ParseTime(value); err == nil && date.After(now) {
		return date.Sub(now)
	}
	return 0
}

// DecodeError is a 2xx answer whose body could not be read or decoded as the expected JSON.
type DecodeError struct {
	StatusCode  int
	ContentType string
	Body        []byte
	Err         error
}

// Error returns the status, the content type, the cause and the start of the body.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("invalid response (HTTP %d, content type %q): %v; body starts %q",
		e.StatusCode, e.ContentType, e.Err, Snippet(e.Body))
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// IsAuthError reports whether err means the PBX did not accept the client's credentials:
// the token endpoint answered with an error, or the API rejected a fresh token with 401.
// A token request that got no answer, such as one to an unreachable PBX, is not one.
func IsAuthError(err error) bool {
	var tokenErr *TokenError
	if errors.As(err, &tokenErr) {
		// Only 400 and 401 are the token endpoint's verdict on the credentials; a 5xx from the
		// PBX or a proxy in front of it is no verdict on them.
		var retrieveErr *oauth2.RetrieveError
		if !errors.As(tokenErr.Err, &retrieveErr) || retrieveErr.Response == nil {
			return false
		}
		status := retrieveErr.Response.StatusCode
		return status == http.StatusBadRequest || status == http.StatusUnauthorized
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized
}

// IsAnswered reports whether err, the outcome of one request, still shows that the API
// answered with a valid token: no error at all, or an HTTP error other than 401.
func IsAnswered(err error) bool {
	if err == nil {
		return true
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode != http.StatusUnauthorized
	}
	var decodeErr *DecodeError
	return errors.As(err, &decodeErr)
}

// describeTransportError adds what to check to a TLS failure, which Go reports in terms of
// certificates and records rather than of the exporter's settings.
func describeTransportError(err error) error {
	if hint := tlsHint(err); hint != "" {
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}

func tlsHint(err error) string {
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknownAuthority):
		return "the PBX's certificate is not signed by a trusted CA: set tls_config.ca_file" +
			" to the CA certificate that signed it"
	case errors.As(err, &hostname):
		return "the PBX's certificate is not valid for the host in url: set" +
			" tls_config.server_name to a name the certificate holds"
	case errors.As(err, &invalid):
		return "the PBX's certificate is invalid, for example expired: renew it on the PBX"
	case errors.As(err, &record):
		return "the PBX did not answer with TLS: check whether url should start with http://"
	}
	return ""
}

var tokenPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)"(access_token|refresh_token|id_token|client_secret)"\s*:\s*"[^"]*"?`),
	regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]+`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*`),
}

// Snippet returns the start of a body for an error message, as valid UTF-8 and with
// anything that looks like a token or secret replaced by "<redacted>".
func Snippet(body []byte) string {
	// Redact before cutting, so that a token is not cut in half and missed.
	text := string(body[:min(len(body), 4*snippetBytes)])
	for _, pattern := range tokenPatterns {
		text = pattern.ReplaceAllString(text, "<redacted>")
	}

	// Replace invalid bytes before cutting: each one grows to the three bytes of U+FFFD,
	// and the cut must land on a character boundary of the final text.
	text = strings.ToValidUTF8(text, "\uFFFD")
	if len(text) > snippetBytes {
		cut := snippetBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return text
}
