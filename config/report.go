package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// Report types.
const (
	TypeUserActivity = "user_activity"
	TypeSystem       = "system"
	TypeQueueService = "queue_service"
	TypeQueueLive    = "queue_live"

	TypeExtensionStatistics = "extension_statistics"
	TypeQueueAgents         = "queue_agents"
	TypeStatus              = "status"
)

// DefaultExtensionStatisticsGroups are the groups of an extension_statistics report that
// sets none: the default department, which contains every extension.
var DefaultExtensionStatisticsGroups = []string{"GRP0000"}

// DefaultWaitingStatuses are the ActiveCalls statuses of a call that waits in a queue.
// NOTE: 3CX does not document the values of an active call's Status. Public clients list
// Routing, Talking and Transferring; Ringing is assumed for a call that rings agents.
// Check the set on a live PBX.
var DefaultWaitingStatuses = []string{"Ringing", "Routing"}

// DefaultAvailableProfiles are the presence profiles of an agent who can take calls.
var DefaultAvailableProfiles = []string{"Available"}

// reportTypeKeys lists, for each report type, the keys a report of that type may set.
var reportTypeKeys = map[string][]string{
	TypeUserActivity: {
		"type", "window", "groups", "extensions", "wait_interval", "include_queue_calls",
		"call_area", "grouping_type", "time_zone", "options",
	},
	TypeSystem:       {"type"},
	TypeQueueService: {"type", "window", "queues", "wait_interval", "time_zone"},
	TypeQueueLive:    {"type", "queues", "waiting_statuses", "available_profiles"},

	TypeExtensionStatistics: {"type", "window", "groups", "call_area", "options"},
	TypeQueueAgents:         {"type", "window", "queues", "wait_interval", "options"},
	TypeStatus:              {"type", "options"},
}

// Report is one report definition. Which keys apply depends on Type.
type Report struct {
	Type string `yaml:"type"`
	// Window is "today" (from local midnight) or a duration that ends at the scrape.
	Window string `yaml:"window,omitempty"`
	// Groups are group (department) numbers such as GRP0001, one request each.
	Groups []string `yaml:"groups,omitempty"`
	// Extensions are extension numbers, one request each.
	Extensions []string `yaml:"extensions,omitempty"`
	// Queues are queue numbers; empty means every queue of the PBX.
	Queues []string `yaml:"queues,omitempty"`
	// WaitingStatuses are the statuses of an active call that waits in a queue.
	WaitingStatuses []string `yaml:"waiting_statuses,omitempty"`
	// AvailableProfiles are the presence profiles of an agent who can take calls.
	AvailableProfiles []string `yaml:"available_profiles,omitempty"`
	// WaitInterval is sent to the PBX as a .NET TimeSpan.
	WaitInterval      model.Duration `yaml:"wait_interval,omitempty"`
	IncludeQueueCalls bool           `yaml:"include_queue_calls,omitempty"`
	// CallArea is all, internal or external, or 0, 1 or 2.
	CallArea string `yaml:"call_area,omitempty"`
	// GroupingType is passed through to the PBX.
	// NOTE: 3CX documents only 0, hour by hour; what other values do is not known, so they
	// are sent as written and not rejected.
	GroupingType int `yaml:"grouping_type,omitempty"`
	// TimeZone overrides the target's time zone for this report.
	TimeZone string `yaml:"time_zone,omitempty"`
	// Options are OData query options sent with every request of the report.
	Options Options `yaml:"options,omitempty"`
	// MinInterval is how long the data of a successful fetch is served before the report
	// is fetched again. Every report type takes it.
	MinInterval model.Duration `yaml:"min_interval,omitempty"`

	// ParsedWindow is Window, parsed.
	ParsedWindow Window `yaml:"-"`
	// ParsedCallArea is CallArea as the number the PBX takes.
	ParsedCallArea int `yaml:"-"`
	// Location is TimeZone, loaded; nil means the target's.
	Location *time.Location `yaml:"-"`
}

// Options are OData system query options.
type Options struct {
	Top     int      `yaml:"top,omitempty"`
	Skip    int      `yaml:"skip,omitempty"`
	Search  string   `yaml:"search,omitempty"`
	Filter  string   `yaml:"filter,omitempty"`
	Count   bool     `yaml:"count,omitempty"`
	Select  []string `yaml:"select,omitempty"`
	OrderBy []string `yaml:"orderby,omitempty"`
	Expand  []string `yaml:"expand,omitempty"`
}

// Window is the time range a report covers.
type Window struct {
	// Today means from local midnight to the scrape.
	Today bool
	// Duration is the length of a window that ends at the scrape, when Today is false.
	Duration time.Duration
}

// String returns the window as the config writes it.
func (w Window) String() string {
	if w.Today {
		return "today"
	}
	return model.Duration(w.Duration).String()
}

// Range returns the start and end of the window for a scrape at now, with midnight taken in
// loc. The start is in UTC. On a day when the clocks change, midnight still comes from the
// calendar date, so the window is 23 or 25 hours long at the end of that day. Where the
// clocks jump forward at midnight, as in America/Santiago, the day starts at the jump.
func (w Window) Range(now time.Time, loc *time.Location) (from, to time.Time) {
	if !w.Today {
		return now.Add(-w.Duration).UTC(), now.UTC()
	}
	local := now.In(loc)
	return StartOfDay(local.Year(), local.Month(), local.Day(), loc).UTC(), now.UTC()
}

// StartOfDay returns the first instant of a calendar date in loc: its midnight, or, where
// the clocks jump forward at midnight and skip it, the end of the jump.
func StartOfDay(year int, month time.Month, day int, loc *time.Location) time.Time {
	midnight := time.Date(year, month, day, 0, 0, 0, 0, loc)
	// time.Date places a midnight that does not exist before the jump, on the day before.
	if midnight.Day() != day {
		_, midnight = midnight.ZoneBounds()
	}
	return midnight
}

// ParseWindow parses "today" or a positive duration such as 15m or 1h.
func ParseWindow(s string) (Window, error) {
	if s == "today" {
		return Window{Today: true}, nil
	}
	d, err := model.ParseDuration(s)
	if err != nil || d <= 0 {
		return Window{}, fmt.Errorf("invalid window %q: want \"today\" or a positive duration such as 15m or 1h", s)
	}
	return Window{Duration: time.Duration(d)}, nil
}

var callAreas = map[string]int{
	"all": 0, "internal": 1, "external": 2,
}

// ParseCallArea parses all, internal or external, or the numbers 0, 1 or 2.
func ParseCallArea(s string) (int, error) {
	if n, ok := callAreas[strings.ToLower(s)]; ok {
		return n, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 2 {
		return n, nil
	}
	return 0, fmt.Errorf("invalid call_area %q: want all, internal, external, 0, 1 or 2", s)
}
