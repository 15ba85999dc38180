package threecxtest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateTimePattern is the pattern the OpenAPI description gives date-time parameters.
var dateTimePattern = regexp.MustCompile(`^[0-9]{4,}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,12})?(Z|[+-][0-9][0-9]:[0-9][0-9])$`)

// timeSpanPattern is what .NET accepts as a TimeSpan: [-][d.]h:mm[:ss[.fffffff]].
var timeSpanPattern = regexp.MustCompile(`^-?([0-9]+\.)?[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9]{1,7})?)?$`)

// callError is a rejected function call and the status a real PBX answers it with.
type callError struct {
	status  int
	message string
}

func (e *callError) Error() string { return e.message }

func notFound(format string, args ...any) *callError {
	return &callError{status: http.StatusNotFound, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *callError {
	return &callError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

func serverError(format string, args ...any) *callError {
	return &callError{status: http.StatusInternalServerError, message: fmt.Sprintf(format, args...)}
}

// functionArgs are the raw literals of a function call, by parameter name.
type functionArgs map[string]string

// parseFunctionCall checks that the escaped path calls prefix with exactly the parameters
// in names, in that order, and returns their literals. Like a real PBX it answers 404 to a
// parameter out of order, missing or unknown, and to a literal "/" inside the parentheses.
func parseFunctionCall(escapedPath, prefix string, names []string) (functionArgs, *callError) {
	inner, ok := strings.CutPrefix(escapedPath, prefix+"(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil, notFound("no resource at %s", escapedPath)
	}
	inner = strings.TrimSuffix(inner, ")")
	if strings.Contains(inner, "/") {
		return nil, notFound("no resource at %s: an unescaped / splits the path", escapedPath)
	}

	parts := splitArgs(inner)
	if len(parts) != len(names) {
		return nil, notFound("no function %s with %d parameters", prefix, len(parts))
	}

	args := functionArgs{}
	for i, part := range parts {
		name, literal, ok := strings.Cut(part, "=")
		if !ok || name != names[i] {
			return nil, notFound("no function %s with parameter %q at position %d", prefix, name, i+1)
		}
		decoded, err := url.PathUnescape(literal)
		if err != nil {
			return nil, badRequest("invalid escaping in %s: %v", name, err)
		}
		args[name] = decoded
	}
	return args, nil
}

// splitArgs splits a parameter list at the commas outside quoted strings.
func splitArgs(s string) []string {
	if s == "" {
		return nil
	}
	var parts []string
	inQuote := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// String returns the value of a quoted string literal. An unquoted null is rejected the way
// 3CX rejects it.
func (a functionArgs) String(name string) (string, *callError) {
	literal := a[name]
	if literal == "null" {
		return "", badRequest("The %s field is required.", name)
	}
	if len(literal) < 2 || literal[0] != '\'' || literal[len(literal)-1] != '\'' {
		return "", badRequest("%s: want a quoted string, got %s", name, literal)
	}
	body := literal[1 : len(literal)-1]
	if strings.Count(body, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(body, "''", ""), "'") {
		return "", badRequest("%s: a quote inside a string must be doubled", name)
	}
	return strings.ReplaceAll(body, "''", "'"), nil
}

// DateTime returns the value of a date-time literal, which must match the spec's pattern.
func (a functionArgs) DateTime(name string) (time.Time, *callError) {
	literal := a[name]
	if !dateTimePattern.MatchString(literal) {
		return time.Time{}, serverError("%s: invalid date-time %q", name, literal)
	}
	t, err := time.Parse(time.RFC3339Nano, literal)
	if err != nil {
		return time.Time{}, serverError("%s: invalid date-time %q", name, literal)
	}
	return t, nil
}

// Int returns the value of an integer literal.
func (a functionArgs) Int(name string) (int, *callError) {
	n, err := strconv.ParseInt(a[name], 10, 32)
	if err != nil {
		return 0, serverError("%s: invalid integer %q", name, a[name])
	}
	return int(n), nil
}

// Bool returns the value of a boolean literal.
func (a functionArgs) Bool(name string) (bool, *callError) {
	switch a[name] {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, serverError("%s: invalid boolean %q", name, a[name])
}

// TimeSpan returns the value of a quoted .NET TimeSpan such as '0:00:20'.
func (a functionArgs) TimeSpan(name string) (time.Duration, *callError) {
	s, cerr := a.String(name)
	if cerr != nil {
		return 0, cerr
	}
	if !timeSpanPattern.MatchString(s) {
		return 0, badRequest("%s: invalid TimeSpan %q", name, s)
	}
	return parseTimeSpan(s), nil
}

func parseTimeSpan(s string) time.Duration {
	negative := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")

	var days int
	if dot := strings.Index(s, "."); dot >= 0 && dot < strings.Index(s, ":") {
		days, _ = strconv.Atoi(s[:dot])
		s = s[dot+1:]
	}
	fields := strings.Split(s, ":")
	hours, _ := strconv.Atoi(fields[0])
	minutes, _ := strconv.Atoi(fields[1])
	var seconds float64
	if len(fields) == 3 {
		seconds, _ = strconv.ParseFloat(fields[2], 64)
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour +
		time.Duration(minutes)*time.Minute + time.Duration(seconds*float64(time.Second))
	if negative {
		return -d
	}
	return d
}

// queryOptions are the OData options of a request that the fake applies.
type queryOptions struct {
	top   int
	skip  int
	count bool
}

var knownOptions = map[string]bool{
	"$top": true, "$skip": true, "$search": true, "$filter": true, "$count": true,
	"$select": true, "$orderby": true, "$expand": true,
}

func parseQueryOptions(r *http.Request) (queryOptions, error) {
	opts := queryOptions{top: -1}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return opts, fmt.Errorf("malformed query: %v", err)
	}

	for name, v := range values {
		if !knownOptions[name] {
			return opts, fmt.Errorf("the query parameter %q is not supported", name)
		}
		if len(v) != 1 {
			return opts, fmt.Errorf("the query parameter %q is given %d times", name, len(v))
		}
	}
	if v := values.Get("$top"); v != "" {
		if opts.top, err = strconv.Atoi(v); err != nil || opts.top < 0 {
			return opts, fmt.Errorf("invalid $top %q", v)
		}
	}
	if v := values.Get("$skip"); v != "" {
		if opts.skip, err = strconv.Atoi(v); err != nil || opts.skip < 0 {
			return opts, fmt.Errorf("invalid $skip %q", v)
		}
	}
	if v := values.Get("$count"); v != "" {
		if opts.count, err = strconv.ParseBool(v); err != nil {
			return opts, fmt.Errorf("invalid $count %q", v)
		}
	}
	return opts, nil
}
