package threecx

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the OData type of a function parameter, which decides how its value is written
// inside the parentheses of a function call.
type Kind int

const (
	// KindString is an Edm.String, written single-quoted with inner quotes doubled.
	KindString Kind = iota
	// KindDateTime is an Edm.DateTimeOffset, written unquoted in RFC 3339 UTC with seconds.
	KindDateTime
	// KindInt is an Edm.Int32, written unquoted in decimal.
	KindInt
	// KindBool is an Edm.Boolean, written unquoted as true or false.
	KindBool
)

// String returns the OData name of the kind.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindDateTime:
		return "date-time"
	case KindInt:
		return "integer"
	case KindBool:
		return "boolean"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Param is the name and kind of one function parameter.
type Param struct {
	Name string
	Kind Kind
}

// Signature describes a bound OData function of the XAPI: the entity set it is bound to, its
// name and its parameters in the order the PBX expects. 3CX responds with 404 to some report
// functions when the parameters are out of order, so the order here is the order sent.
type Signature struct {
	EntitySet string
	Function  string
	Params    []Param
}

// PathTemplate returns the path as the OpenAPI description writes it, for example
// "/ReportUserActivity/Pbx.GetUserActivity(clientTimeZone={clientTimeZone},...)".
func (s Signature) PathTemplate() string {
	parts := make([]string, len(s.Params))
	for i, p := range s.Params {
		parts[i] = p.Name + "={" + p.Name + "}"
	}
	return "/" + s.EntitySet + "/Pbx." + s.Function + "(" + strings.Join(parts, ",") + ")"
}

// Path builds the escaped request path of a call with the given values, one per parameter
// in order. A string parameter takes a string, a date-time a time.Time, an integer an int
// and a boolean a bool.
func (s Signature) Path(values ...any) (string, error) {
	if len(values) != len(s.Params) {
		return "", fmt.Errorf("%s takes %d parameters, got %d", s.Function, len(s.Params), len(values))
	}

	parts := make([]string, len(s.Params))
	for i, p := range s.Params {
		literal, err := formatLiteral(p.Kind, values[i])
		if err != nil {
			return "", fmt.Errorf("%s parameter %s: %w", s.Function, p.Name, err)
		}
		parts[i] = p.Name + "=" + literal
	}
	return "/" + s.EntitySet + "/Pbx." + s.Function + "(" + strings.Join(parts, ",") + ")", nil
}

func formatLiteral(kind Kind, value any) (string, error) {
	switch kind {
	case KindString:
		if v, ok := value.(string); ok {
			return QuoteString(v), nil
		}
	case KindDateTime:
		if v, ok := value.(time.Time); ok {
			return FormatDateTime(v), nil
		}
	case KindInt:
		if v, ok := value.(int); ok {
			return strconv.Itoa(v), nil
		}
	case KindBool:
		if v, ok := value.(bool); ok {
			return strconv.FormatBool(v), nil
		}
	}
	return "", fmt.Errorf("want a %s value, got %T", kind, value)
}

// QuoteString writes s as an escaped OData string literal. It puts single quotes around s,
// writes each single quote inside it twice, and then percent-encodes every byte other than
// letters, digits, "-._~" and the quotes, so a "/" in a time zone name is sent as %2F.
func QuoteString(s string) string {
	quoted := "'" + strings.ReplaceAll(s, "'", "''") + "'"

	var b strings.Builder
	b.Grow(len(quoted))
	for i := 0; i < len(quoted); i++ {
		c := quoted[i]
		if isUnreserved(c) || c == '\'' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// FormatDateTime writes t in UTC as RFC 3339 with seconds and a Z, the form live PBXs are
// known to accept. Fractions of a second are dropped.
func FormatDateTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// FormatTimeSpan writes d as a .NET TimeSpan string such as "0:00:20" or "1.02:03:04", the
// only form 3CX accepts for waitInterval. Fractions of a second are dropped.
func FormatTimeSpan(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign = "-"
		d = -d
	}

	total := int64(d / time.Second)
	seconds := total % 60
	minutes := total / 60 % 60
	hours := total / 3600 % 24
	days := total / 86400
	if days > 0 {
		return fmt.Sprintf("%s%d.%02d:%02d:%02d", sign, days, hours, minutes, seconds)
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, hours, minutes, seconds)
}
