package threecx

import (
	"net/url"
	"strconv"
	"strings"
)

// QueryOptions are the OData system query options of a request. A zero field is not sent.
type QueryOptions struct {
	Top     int
	Skip    int
	Search  string
	Filter  string
	Count   bool
	Select  []string
	OrderBy []string
	Expand  []string
}

// Encode returns the options as a query string without the leading "?". Option names keep
// their literal "$" and values are query-escaped.
func (o QueryOptions) Encode() string {
	var pairs []string
	add := func(name, value string) {
		pairs = append(pairs, name+"="+url.QueryEscape(value))
	}

	if o.Top > 0 {
		add("$top", strconv.Itoa(o.Top))
	}
	if o.Skip > 0 {
		add("$skip", strconv.Itoa(o.Skip))
	}
	if o.Search != "" {
		add("$search", o.Search)
	}
	if o.Filter != "" {
		add("$filter", o.Filter)
	}
	if o.Count {
		add("$count", "true")
	}
	if len(o.Select) > 0 {
		add("$select", strings.Join(o.Select, ","))
	}
	if len(o.OrderBy) > 0 {
		add("$orderby", strings.Join(o.OrderBy, ","))
	}
	if len(o.Expand) > 0 {
		add("$expand", strings.Join(o.Expand, ","))
	}
	return strings.Join(pairs, "&")
}
