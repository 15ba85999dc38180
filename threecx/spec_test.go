package threecx_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/internal/demo"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

// specPath is the vendor's OpenAPI description of the XAPI. It is not part of the
// repository; the tests that need it skip when it is absent.
const specPath = "../../shared/xapi/swagger.yaml"

// openAPI is the part of an OpenAPI 3 document that the request checks read.
type openAPI struct {
	Paths      map[string]pathItem `yaml:"paths"`
	Components struct {
		Parameters map[string]parameter `yaml:"parameters"`
	} `yaml:"components"`
}

type pathItem struct {
	Get *operation `yaml:"get"`
}

type operation struct {
	OperationID string      `yaml:"operationId"`
	Parameters  []parameter `yaml:"parameters"`
}

type parameter struct {
	Ref    string `yaml:"$ref"`
	Name   string `yaml:"name"`
	In     string `yaml:"in"`
	Schema schema `yaml:"schema"`
}

type schema struct {
	Type     string   `yaml:"type"`
	Format   string   `yaml:"format"`
	Pattern  string   `yaml:"pattern"`
	Nullable bool     `yaml:"nullable"`
	Minimum  *float64 `yaml:"minimum"`
	Maximum  *float64 `yaml:"maximum"`
}

var (
	specOnce sync.Once
	spec     *openAPI
	specErr  error
)

// loadSpec parses the OpenAPI description once, or skips the test when it is absent.
func loadSpec(t *testing.T) *openAPI {
	t.Helper()
	specOnce.Do(func() {
		data, err := os.ReadFile(specPath)
		if err != nil {
			specErr = err
			return
		}
		spec = &openAPI{}
		specErr = yaml.Unmarshal(data, spec)
	})
	if os.IsNotExist(specErr) {
		where, err := filepath.Abs(specPath)
		if err != nil {
			where = specPath
		}
		t.Skipf("skipping: the XAPI OpenAPI description is not at %s (it is not part of the repository)", where)
	}
	if specErr != nil {
		t.Fatalf("parse %s: %v", specPath, specErr)
	}
	return spec
}

// parameters returns the operation's parameters with references resolved.
func (s *openAPI) parameters(op operation) []parameter {
	params := make([]parameter, 0, len(op.Parameters))
	for _, p := range op.Parameters {
		if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
			p = s.Components.Parameters[name]
		}
		params = append(params, p)
	}
	return params
}

func pathParams(params []parameter) []parameter {
	var out []parameter
	for _, p := range params {
		if p.In == "path" {
			out = append(out, p)
		}
	}
	return out
}

// kindOf returns the client's kind for a parameter schema of the spec.
func kindOf(s schema) (threecx.Kind, error) {
	switch {
	case s.Type == "string" && s.Format == "date-time":
		return threecx.KindDateTime, nil
	case s.Type == "string":
		return threecx.KindString, nil
	case s.Type == "integer":
		return threecx.KindInt, nil
	case s.Type == "boolean":
		return threecx.KindBool, nil
	}
	return 0, fmt.Errorf("schema type %q format %q has no kind", s.Type, s.Format)
}

func TestSignaturesMatchSpec(t *testing.T) {
	api := loadSpec(t)

	for _, sig := range threecx.Signatures() {
		t.Run(sig.Function, func(t *testing.T) {
			item, ok := api.Paths[sig.PathTemplate()]
			if !ok {
				t.Fatalf("the spec has no path %s", sig.PathTemplate())
			}
			op := item.Get
			if op == nil {
				t.Fatalf("the spec has no GET on %s", sig.PathTemplate())
			}
			if op.OperationID != sig.Function {
				t.Errorf("operationId = %q, want %q", op.OperationID, sig.Function)
			}

			params := pathParams(api.parameters(*op))
			if len(params) != len(sig.Params) {
				t.Fatalf("the spec has %d path parameters, the signature %d", len(params), len(sig.Params))
			}
			for i, p := range sig.Params {
				if params[i].Name != p.Name {
					t.Errorf("parameter %d: spec name %q, signature name %q", i, params[i].Name, p.Name)
				}
				kind, err := kindOf(params[i].Schema)
				if err != nil {
					t.Errorf("parameter %s: %v", p.Name, err)
					continue
				}
				if kind != p.Kind {
					t.Errorf("parameter %s: spec kind %s, signature kind %s", p.Name, kind, p.Kind)
				}
			}
		})
	}
}

// checkRequest checks one request as sent on the wire against the spec: its path must
// match a path template with a GET operation, each path parameter's literal must fit its
// schema, and each query parameter must be one the operation declares.
func checkRequest(api *openAPI, method, escapedPath, rawQuery string) error {
	if method != "GET" {
		return fmt.Errorf("method %s: the exporter only reads", method)
	}
	path, ok := strings.CutPrefix(escapedPath, threecx.APIPrefix)
	if !ok {
		return fmt.Errorf("path %s is not under %s", escapedPath, threecx.APIPrefix)
	}

	template, literals, err := matchTemplate(api, path)
	if err != nil {
		return err
	}
	op := api.Paths[template].Get
	if op == nil {
		return fmt.Errorf("%s: the spec has no GET", template)
	}
	params := api.parameters(*op)

	for i, p := range pathParams(params) {
		if err := checkLiteral(p, literals[i]); err != nil {
			return fmt.Errorf("%s: parameter %s: %w", op.OperationID, p.Name, err)
		}
	}
	return checkQuery(*op, params, rawQuery)
}

var placeholder = regexp.MustCompile(`\{[^}]+\}`)

// matchTemplate finds the path template that path fills in and returns the escaped
// literals of its parameters in order.
func matchTemplate(api *openAPI, path string) (string, []string, error) {
	for template := range api.Paths {
		if !strings.Contains(template, "{") {
			if template == path {
				return template, nil, nil
			}
			continue
		}
		quoted := regexp.QuoteMeta(template)
		pattern := "^" + placeholder.ReplaceAllString(strings.ReplaceAll(quoted, `\{`, "{"), `([^,()/]*)`) + "$"
		pattern = strings.ReplaceAll(pattern, `\}`, "")
		match := regexp.MustCompile(pattern).FindStringSubmatch(path)
		if match != nil {
			return template, match[1:], nil
		}
	}
	return "", nil, fmt.Errorf("no path template of the spec matches %s", path)
}

func checkLiteral(p parameter, escaped string) error {
	literal, err := url.PathUnescape(escaped)
	if err != nil {
		return fmt.Errorf("invalid escaping %q: %w", escaped, err)
	}
	kind, err := kindOf(p.Schema)
	if err != nil {
		return err
	}

	switch kind {
	case threecx.KindString:
		return checkStringLiteral(escaped, literal)
	case threecx.KindDateTime:
		if !regexp.MustCompile(p.Schema.Pattern).MatchString(literal) {
			return fmt.Errorf("%q does not match the pattern %s", literal, p.Schema.Pattern)
		}
		if strings.Contains(escaped, "+") {
			return fmt.Errorf("%q holds an unescaped +", escaped)
		}
	case threecx.KindInt:
		n, err := strconv.ParseInt(literal, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", literal)
		}
		if p.Schema.Minimum != nil && float64(n) < *p.Schema.Minimum || p.Schema.Maximum != nil && float64(n) > *p.Schema.Maximum {
			return fmt.Errorf("%d is out of range", n)
		}
	case threecx.KindBool:
		if literal != "true" && literal != "false" {
			return fmt.Errorf("%q is not a boolean", literal)
		}
	}
	return nil
}

// checkStringLiteral requires a single-quoted literal with inner quotes doubled, and every
// byte that is not unreserved in a URL percent-encoded.
func checkStringLiteral(escaped, literal string) error {
	if literal == "null" {
		return fmt.Errorf("unquoted null, which 3CX rejects for a string")
	}
	if len(literal) < 2 || literal[0] != '\'' || literal[len(literal)-1] != '\'' {
		return fmt.Errorf("%q is not single-quoted", literal)
	}
	inner := literal[1 : len(literal)-1]
	if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
		return fmt.Errorf("%q has an undoubled quote inside", literal)
	}
	for _, c := range []byte(escaped) {
		unreserved := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~'%", c) >= 0
		if !unreserved {
			return fmt.Errorf("%q holds %q unescaped", escaped, c)
		}
	}
	return nil
}

func checkQuery(op operation, params []parameter, rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	declared := map[string]parameter{}
	for _, p := range params {
		if p.In == "query" {
			declared[p.Name] = p
		}
	}

	for _, pair := range strings.Split(rawQuery, "&") {
		name, value, _ := strings.Cut(pair, "=")
		p, ok := declared[name]
		if !ok {
			return fmt.Errorf("%s: query parameter %q is not declared (sent as %q)", op.OperationID, name, pair)
		}
		decoded, err := url.QueryUnescape(value)
		if err != nil {
			return fmt.Errorf("%s: query parameter %s: invalid escaping %q", op.OperationID, name, value)
		}
		if p.Schema.Type == "integer" {
			if n, err := strconv.Atoi(decoded); err != nil || n < 0 {
				return fmt.Errorf("%s: query parameter %s: %q is not a count", op.OperationID, name, decoded)
			}
		}
		if p.Schema.Type == "boolean" && decoded != "true" && decoded != "false" {
			return fmt.Errorf("%s: query parameter %s: %q is not a boolean", op.OperationID, name, decoded)
		}
	}
	return nil
}

func TestUserActivityPathsMatchSpec(t *testing.T) {
	api := loadSpec(t)
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name  string
		query threecx.UserActivityQuery
	}{
		{"group", threecx.UserActivityQuery{TimeZone: "UTC", From: from, To: from.Add(time.Hour), GroupNumber: "GRP0001"}},
		{"extension", threecx.UserActivityQuery{TimeZone: "Europe/Berlin", From: from, To: from.Add(time.Hour), ExtensionDN: "101"}},
		{"quote in group", threecx.UserActivityQuery{TimeZone: "UTC", From: from, To: from, GroupNumber: "O'Brien"}},
		{"comma and parenthesis", threecx.UserActivityQuery{TimeZone: "America/Argentina/Buenos_Aires", From: from, To: from, GroupNumber: "a,b)c"}},
		{"non-ASCII", threecx.UserActivityQuery{TimeZone: "UTC", From: from, To: from, ExtensionDN: "Zoë"}},
		{"offset time", threecx.UserActivityQuery{TimeZone: "UTC", From: from.In(time.FixedZone("", 5*3600)), To: from}},
		{"every option", threecx.UserActivityQuery{
			TimeZone: "UTC", From: from, To: from, WaitInterval: 90 * time.Second, IncludeQueueCalls: true,
			CallArea: threecx.CallAreaExternal, Options: threecx.QueryOptions{
				Top: 10, Skip: 5, Search: "a b", Filter: "AnsweredCount gt 0", Count: true,
				Select: []string{"AnsweredCount", "DateTimeInterval"}, OrderBy: []string{"DateTimeInterval desc"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, err := threecx.UserActivityPath(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkRequest(api, "GET", threecx.APIPrefix+path, tt.query.Options.Encode()); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDemoScrapeRequestsMatchSpec scrapes the demo config, which enables every report type,
// and checks every request that reached the fake PBX.
func TestDemoScrapeRequestsMatchSpec(t *testing.T) {
	api := loadSpec(t)

	d, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	targets, err := collector.NewTargets(d.Config, collector.Options{})
	if err != nil {
		t.Fatal(err)
	}

	registry := prometheus.NewRegistry()
	registry.MustRegister(targets[demo.TargetName].Collector(context.Background()))
	if _, err := registry.Gather(); err != nil {
		t.Fatal(err)
	}

	requests := d.Fake.Requests()
	if len(requests) == 0 {
		t.Fatal("the scrape sent no request")
	}
	for _, r := range requests {
		if err := checkRequest(api, r.Method, r.Path, r.Query); err != nil {
			t.Errorf("%s %s?%s: %v", r.Method, r.Path, r.Query, err)
		}
	}
}

// TestCheckRequestRejects makes sure the checks above can fail.
func TestCheckRequestRejects(t *testing.T) {
	api := loadSpec(t)
	good, err := threecx.UserActivityPath(threecx.UserActivityQuery{TimeZone: "Europe/Berlin", From: time.Unix(0, 0), To: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	good = threecx.APIPrefix + good

	tests := []struct {
		name, method, path, query string
	}{
		{"post", "POST", good, ""},
		{"unescaped slash", "GET", strings.Replace(good, "%2F", "/", 1), ""},
		{"unquoted null", "GET", strings.Replace(good, "groupNumber=''", "groupNumber=null", 1), ""},
		{"date without seconds", "GET", strings.Replace(good, "T00:00:00Z", "T00:00Z", 1), ""},
		{"parameters swapped", "GET", strings.Replace(good, "periodFrom", "periodTmp", 1), ""},
		{"unknown query option", "GET", good, "$format=json"},
		{"negative top", "GET", good, "$top=-1"},
		{"bad boolean", "GET", strings.Replace(good, "includeQueueCalls=false", "includeQueueCalls=0", 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkRequest(api, tt.method, tt.path, tt.query); err == nil {
				t.Errorf("checkRequest accepted %s %s?%s", tt.method, tt.path, tt.query)
			}
		})
	}
}
