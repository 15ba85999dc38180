package threecx

import (
	"errors"
	"net/http"
	"regexp"
	"testing"
	"unicode/utf8"
)

// jwtPattern matches a whole JSON Web Token: header, payload and signature.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// FuzzDecodeResponse feeds arbitrary statuses, content types and bodies to the decoder of
// XAPI responses. It must decode or return an *APIError or a *DecodeError whose message is
// valid UTF-8 and quotes at most snippetBytes of the body, and never panic.
func FuzzDecodeResponse(f *testing.F) {
	seeds := []struct {
		status      int
		contentType string
		body        string
	}{
		{200, "application/json; odata.metadata=minimal", `{"value":[{"DateTimeInterval":"2026-03-03T10:00:00+01:00","AnsweredCount":3}]}`},
		{200, "application/json", `{"value":[{"AnsweredCount":"seven"}]}`},
		{200, "application/json", `{"value":[{"DateTimeInterval":"2026-`},
		{200, "text/html; charset=utf-8", "<html><title>3CX Web Client</title></html>"},
		{404, "application/json", `{"error":{"code":"","message":"No HTTP resource was found"}}`},
		{401, "", ""},
		{502, "text/html", "<html>Bad Gateway</html>"},
		{200, "application/json", `{"access_token":"eyJhbGciOi.eyJzdWIi.c2ln","value":[]}`},
		{403, "text/plain", "Bearer eyJhbGciOi.eyJzdWIi.c2ln rejected"},
		{200, "application/json", "{\"value\":[{\"DateTimeInterval\":\"\xff\xfe\"}]}"},
	}
	for _, s := range seeds {
		f.Add(s.status, s.contentType, []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		header := http.Header{"Content-Type": {contentType}}
		var page struct {
			Value []UserActivity `json:"value"`
		}

		err := decodeResponse(status, header, body, nil, &page)

		if err == nil {
			if status < 200 || status > 299 || !isJSON(contentType) {
				t.Errorf("decoded status %d with content type %q", status, contentType)
			}
			return
		}
		var apiErr *APIError
		var decodeErr *DecodeError
		if !errors.As(err, &apiErr) && !errors.As(err, &decodeErr) {
			t.Errorf("error of type %T, want *APIError or *DecodeError: %v", err, err)
		}
		message := err.Error()
		if !utf8.ValidString(message) {
			t.Errorf("message is not valid UTF-8: %q", message)
		}
		if token := jwtPattern.FindString(message); token != "" {
			t.Errorf("message contains the token %q: %s", token, message)
		}
		if snippet := Snippet(body); len(snippet) > snippetBytes {
			t.Errorf("snippet of %d bytes, want at most %d", len(snippet), snippetBytes)
		}
	})
}
