package threecx

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestQuoteString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "''"},
		{"GRP0001", "'GRP0001'"},
		{"O'Brien", "'O''Brien'"},
		{"''", "''''''"},
		{"Europe/Berlin", "'Europe%2FBerlin'"},
		{"+01:00", "'%2B01%3A00'"},
		{"a b,c)", "'a%20b%2Cc%29'"},
		{"Zoë", "'Zo%C3%AB'"},
		{"100%", "'100%25'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := QuoteString(tt.in); got != tt.want {
				t.Errorf("QuoteString(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatTimeSpan(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0:00:00"},
		{20 * time.Second, "0:00:20"},
		{90 * time.Second, "0:01:30"},
		{10*time.Hour + 5*time.Minute, "10:05:00"},
		{26*time.Hour + 3*time.Minute + 4*time.Second, "1.02:03:04"},
		{1500 * time.Millisecond, "0:00:01"},
		{-20 * time.Second, "-0:00:20"},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := FormatTimeSpan(tt.in); got != tt.want {
				t.Errorf("FormatTimeSpan(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatDateTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"UTC", time.Date(2026, 12, 4, 9, 5, 7, 0, time.UTC), "2026-12-04T09:05:07Z"},
		{"converted to UTC", time.Date(2026, 12, 4, 0, 0, 0, 0, berlin), "2026-12-03T23:00:00Z"},
		{"fraction dropped", time.Date(2026, 12, 4, 9, 5, 7, 999_999_999, time.UTC), "2026-12-04T09:05:07Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDateTime(tt.in); got != tt.want {
				t.Errorf("FormatDateTime = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSignaturePath(t *testing.T) {
	sig := Signature{EntitySet: "Set", Function: "F", Params: []Param{
		{Name: "s", Kind: KindString},
		{Name: "d", Kind: KindDateTime},
		{Name: "i", Kind: KindInt},
		{Name: "b", Kind: KindBool},
	}}

	got, err := sig.Path("x/y", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), -7, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/Set/Pbx.F(s='x%2Fy',d=2026-01-02T03:04:05Z,i=-7,b=true)"; got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
	if want := "/Set/Pbx.F(s={s},d={d},i={i},b={b})"; sig.PathTemplate() != want {
		t.Errorf("PathTemplate = %s, want %s", sig.PathTemplate(), want)
	}

	if _, err := sig.Path("x"); err == nil || !strings.Contains(err.Error(), "takes 4 parameters, got 1") {
		t.Errorf("Path with too few values: err = %v", err)
	}
	if _, err := sig.Path("x", "2026-01-02", 1, true); err == nil || !strings.Contains(err.Error(), "parameter d") {
		t.Errorf("Path with a string for a date-time: err = %v", err)
	}
}

func TestUserActivityPathOrder(t *testing.T) {
	from := time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC)
	to := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	got, err := UserActivityPath(UserActivityQuery{
		TimeZone: "Europe/Berlin", From: from, To: to, GroupNumber: "GRP0001",
		WaitInterval: 20 * time.Second, IncludeQueueCalls: true, CallArea: CallAreaExternal,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "/ReportUserActivity/Pbx.GetUserActivity(clientTimeZone='Europe%2FBerlin'," +
		"periodFrom=2026-12-03T23:00:00Z,periodTo=2026-12-04T10:30:00Z,groupNumber='GRP0001'," +
		"extensionDns='',waitInterval='0%3A00%3A20',includeQueueCalls=true,callArea=2,groupingType=0)"
	if got != want {
		t.Errorf("path:\n%s\nwant:\n%s", got, want)
	}
}

func TestQueryOptionsEncode(t *testing.T) {
	tests := []struct {
		name string
		in   QueryOptions
		want string
	}{
		{"empty", QueryOptions{}, ""},
		{"paging", QueryOptions{Top: 100, Skip: 200, Count: true}, "$top=100&$skip=200&$count=true"},
		{"lists", QueryOptions{Select: []string{"Number", "DisplayName"}, OrderBy: []string{"Number desc"}},
			"$select=Number%2CDisplayName&$orderby=Number+desc"},
		{"filter", QueryOptions{Filter: "Number eq '101'", Search: "a&b"},
			"$search=a%26b&$filter=Number+eq+%27101%27"},
		{"expand", QueryOptions{Expand: []string{"Agents"}}, "$expand=Agents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Encode(); got != tt.want {
				t.Errorf("Encode = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSnippetRedactsTokens(t *testing.T) {
	tests := []struct {
		name, body, secret string
	}{
		{"access token field", `{"access_token":"abc.def.ghi","expires_in":3600}`, "abc.def.ghi"},
		{"bearer header echo", `<html>Authorization: Bearer s3cr3tT0ken</html>`, "s3cr3tT0ken"},
		{"JWT", `error for eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig`, "eyJhbGciOiJIUzI1NiJ9"},
		{"client secret", `{"client_secret": "hunter2"}`, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet([]byte(tt.body))
			if strings.Contains(got, tt.secret) {
				t.Errorf("Snippet(%q) = %q still holds %q", tt.body, got, tt.secret)
			}
			if !strings.Contains(got, "<redacted>") {
				t.Errorf("Snippet(%q) = %q has no <redacted> mark", tt.body, got)
			}
		})
	}
}

func TestSnippetCutsLongBodies(t *testing.T) {
	body := strings.Repeat("ë", 500)
	got := Snippet([]byte(body))
	if len(got) > snippetBytes {
		t.Errorf("snippet is %d bytes, want at most %d", len(got), snippetBytes)
	}
	if !strings.HasPrefix(body, got) {
		t.Error("snippet cut a multi-byte character in half")
	}
}

func TestSnippetInvalidUTF8(t *testing.T) {
	tests := []struct {
		name       string
		body       []byte
		wantText   string
		wantMinLen int
	}{
		// A Latin-1 page: the text after the first invalid byte must survive.
		{"one Latin-1 byte", append(append([]byte("<html><title>Fehler "), 0xfc), []byte(strings.Repeat("x", 300))...),
			"Fehler \uFFFDxxxx", snippetBytes - 3},
		// A run of invalid bytes becomes one replacement character.
		{"only invalid bytes", []byte(strings.Repeat("\xff", 300)), "\uFFFD", 3},
		{"invalid bytes between text", []byte(strings.Repeat("ab\xff", 150)), "ab\uFFFDab", snippetBytes - 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Snippet(tt.body)
			if len(got) > snippetBytes {
				t.Errorf("snippet is %d bytes, want at most %d", len(got), snippetBytes)
			}
			if len(got) < tt.wantMinLen {
				t.Errorf("snippet is %d bytes, want at least %d: text was lost", len(got), tt.wantMinLen)
			}
			if !utf8.ValidString(got) {
				t.Errorf("snippet %q is not valid UTF-8", got)
			}
			if !strings.Contains(got, tt.wantText) {
				t.Errorf("snippet %q lacks %q", got, tt.wantText)
			}
		})
	}
}
