package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
)

// validate fills in defaults and derived fields and returns every problem found, in the
// order of the sorted target and report names. keysSet holds the keys each report wrote.
func (c *Config) validate(keysSet map[string]map[string]int) []error {
	var errs []error
	if len(c.Targets) == 0 {
		errs = append(errs, errors.New("targets: at least one target is required"))
	}
	if len(c.Reports) == 0 {
		errs = append(errs, errors.New("reports: at least one report is required"))
	}

	for _, name := range c.ReportNames() {
		r := c.Reports[name]
		if r == nil {
			errs = append(errs, fmt.Errorf("reports.%s: the report is empty; set at least its type", name))
			continue
		}
		errs = append(errs, r.validate("reports."+name, keysSet[name])...)
	}

	for _, name := range c.TargetNames() {
		t := c.Targets[name]
		if t == nil {
			errs = append(errs, fmt.Errorf("targets.%s: the target is empty; set at least url and client_id", name))
			continue
		}
		errs = append(errs, t.validate("targets."+name, c.Reports)...)
	}
	c.Warnings = append(c.sharedClientWarnings(), c.literalSecretWarnings()...)
	return errs
}

func (t *Target) validateURL(key string) []error {
	if t.URL == "" {
		return []error{fmt.Errorf("%s: url is missing", key)}
	}
	if !strings.Contains(t.URL, "://") {
		shown := fmt.Sprintf(" %q", t.URL)
		if strings.Contains(t.URL, "@") {
			shown = "" // It may hold a password.
		}
		return []error{fmt.Errorf("%s.url: invalid URL%s: want http:// or https:// followed by the PBX's host", key, shown)}
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		// A url.Error quotes the whole URL, which may hold a password.
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return []error{fmt.Errorf("%s.url: invalid URL: %w", key, err)}
	}
	// The error names the URL without its password, so that it never reaches a log.
	if u.User != nil {
		return []error{fmt.Errorf("%s.url: invalid URL %q: remove the user name and password;"+
			" the exporter logs in with client_id and client_secret", key, u.Redacted())}
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return []error{fmt.Errorf("%s.url: invalid URL %q: want http:// or https:// followed by the PBX's host", key, t.URL)}
	}
	if strings.Contains(strings.TrimRight(u.Path, "/"), "/xapi") {
		return []error{fmt.Errorf("%s.url: invalid URL %q: remove the API path; url is the PBX's base URL,"+
			" such as https://pbx.example.com:5001", key, t.URL)}
	}
	return nil
}

// literalSecretWarnings returns a warning for each client_secret that looks like a
// reference to an environment variable but is not one of the form ${NAME}, such as $NAME
// or pre-${NAME}, and so is taken as the secret itself. The warning never quotes the value.
func (c *Config) literalSecretWarnings() []string {
	var warnings []string
	for _, name := range c.TargetNames() {
		t := c.Targets[name]
		if t == nil {
			continue
		}
		secret := string(t.ClientSecret)
		if envReference.MatchString(secret) || !strings.HasPrefix(secret, "$") && !strings.Contains(secret, "${") {
			continue
		}
		warnings = append(warnings, fmt.Sprintf("targets.%s.client_secret: the value contains $ but is not"+
			" a reference of the form ${NAME}, so it is taken as the secret itself", name))
	}
	return warnings
}

// sharedClientWarnings returns a warning for each target that logs in to the same PBX
// host with the same client ID as another. 3CX keeps one live token per client ID, so
// such targets revoke each other's token, and each scrape costs a 401 and a token request.
func (c *Config) sharedClientWarnings() []string {
	type login struct{ host, clientID string }
	first := map[login]string{}

	var warnings []string
	for _, name := range c.TargetNames() {
		t := c.Targets[name]
		if t == nil || t.ClientID == "" {
			continue
		}
		u, err := url.Parse(t.URL)
		if err != nil {
			continue
		}
		key := login{host: strings.ToLower(u.Host), clientID: t.ClientID}
		if other, ok := first[key]; ok {
			warnings = append(warnings, fmt.Sprintf("targets.%s: same url host and client_id as targets.%s;"+
				" 3CX keeps one token per client ID, so the two revoke each other's token on every scrape:"+
				" create a second API client, or use one target with min_interval on its slow reports",
				name, other))
			continue
		}
		first[key] = name
	}
	return warnings
}

func (t *Target) validate(key string, reports map[string]*Report) []error {
	// A reports: block indented under targets: turns into a target named reports.
	if key == "targets.reports" && t.URL == "" && t.ClientID == "" {
		return []error{fmt.Errorf("%s: a target named reports has no url or client_id;"+
			" check that reports: starts at the beginning of its line, not indented under targets", key)}
	}

	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(key+format, args...))
	}

	errs = append(errs, t.validateURL(key)...)

	if t.ClientID == "" {
		fail(": client_id is missing")
	}
	errs = append(errs, t.loadSecret(key)...)

	if t.TimeZone == "" {
		t.TimeZone = DefaultTimeZone
	}
	loc, err := loadTimeZone(t.TimeZone)
	if err != nil {
		fail(".time_zone: %v", err)
	}
	t.Location = loc

	if t.MaxConcurrency == 0 {
		t.MaxConcurrency = DefaultMaxConcurrency
	}
	if t.MaxConcurrency < 1 {
		fail(".max_concurrency: invalid value %d: want 1 or more", t.MaxConcurrency)
	}

	if t.Timeout == 0 {
		t.Timeout = DefaultTimeout
	}
	if t.Timeout < 0 {
		fail(".timeout: invalid value %s: want a positive duration", t.Timeout)
	}

	if t.MaxBodyBytes == 0 {
		t.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if t.MaxBodyBytes < 0 {
		fail(".max_body_bytes: invalid value %d: want a positive number of bytes", t.MaxBodyBytes)
	}

	tlsConfig, tlsErrs := t.TLSConfig.load(key + ".tls_config")
	t.TLS = tlsConfig
	errs = append(errs, tlsErrs...)

	if len(t.Reports) == 0 {
		t.Reports = sortedKeys(reports)
	}
	seen := map[string]bool{}
	for _, name := range t.Reports {
		if _, ok := reports[name]; !ok {
			fail(".reports: unknown report %q: want one of the names under reports", name)
		}
		if seen[name] {
			fail(".reports: report %q is listed twice", name)
		}
		seen[name] = true
	}
	return errs
}

func (t *Target) loadSecret(key string) []error {
	switch {
	case t.ClientSecret != "" && t.ClientSecretFile != "":
		return []error{fmt.Errorf("%s: client_secret and client_secret_file are both set; set exactly one", key)}
	case t.ClientSecret == "" && t.ClientSecretFile == "":
		return []error{fmt.Errorf("%s: client_secret or client_secret_file is missing; set exactly one", key)}
	case t.ClientSecret != "":
		secret, err := expandSecret(t.ClientSecret)
		if err != nil {
			return []error{fmt.Errorf("%s.client_secret: %w", key, err)}
		}
		t.Secret = secret
		return nil
	}

	data, err := os.ReadFile(t.ClientSecretFile)
	if err != nil {
		return []error{fmt.Errorf("%s.client_secret_file: %w", key, err)}
	}
	secret := strings.TrimRight(string(data), "\r\n")
	if secret == "" {
		return []error{fmt.Errorf("%s.client_secret_file: file %q is empty", key, t.ClientSecretFile)}
	}
	t.Secret = Secret(secret)
	return nil
}

// loadTimeZone loads the IANA time zone name. It rejects "Local", which time.LoadLocation
// takes as the exporter host's zone, because the PBX gets the name as clientTimeZone.
func loadTimeZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, fmt.Errorf("invalid time zone %q: it is the exporter host's zone, which the"+
			" PBX cannot look up: want an IANA name such as Europe/Berlin", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: want an IANA name such as Europe/Berlin", name)
	}
	return loc, nil
}

// commonReportKeys are the keys that every report type may set, next to its own.
var commonReportKeys = []string{"min_interval"}

func (r *Report) validate(key string, keysSet map[string]int) []error {
	typeKeys, ok := reportTypeKeys[r.Type]
	allowed := append(slices.Clip(typeKeys), commonReportKeys...)
	if !ok {
		types := make([]string, 0, len(reportTypeKeys))
		for name := range reportTypeKeys {
			types = append(types, name)
		}
		sort.Strings(types)
		if r.Type == "" {
			return []error{fmt.Errorf("%s: type is missing: want one of %s", key, strings.Join(types, ", "))}
		}
		return []error{fmt.Errorf("%s.type: unknown report type %q: want one of %s", key, r.Type, strings.Join(types, ", "))}
	}

	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(key+format, args...))
	}

	structKeys := yamlKeys(Report{})
	for _, name := range sortedKeys(keysSet) {
		// The decoder has already reported a key that no report type has.
		if !slices.Contains(allowed, name) && slices.Contains(structKeys, name) {
			fail(".%s: key is not valid for type %s (line %d)", name, r.Type, keysSet[name])
		}
	}

	switch r.Type {
	case TypeUserActivity:
		errs = append(errs, r.validateUserActivity(key)...)
	case TypeQueueService:
		errs = append(errs, r.validateQueueService(key)...)
	case TypeQueueLive:
		errs = append(errs, r.validateQueueLive(key)...)
	case TypeExtensionStatistics:
		errs = append(errs, r.validateExtensionStatistics(key)...)
	case TypeQueueAgents:
		errs = append(errs, r.validateQueueAgents(key)...)
	case TypeStatus:
		errs = append(errs, r.validateStatus(key)...)
	}
	return errs
}

func (r *Report) validateQueueService(key string) []error {
	errs := r.validateWindow(key)
	errs = append(errs, r.validateQueues(key)...)
	errs = append(errs, r.validateWaitInterval(key)...)
	return append(errs, r.validateTimeZone(key)...)
}

func (r *Report) validateQueueLive(key string) []error {
	if len(r.WaitingStatuses) == 0 {
		r.WaitingStatuses = slices.Clone(DefaultWaitingStatuses)
	}
	if len(r.AvailableProfiles) == 0 {
		r.AvailableProfiles = slices.Clone(DefaultAvailableProfiles)
	}

	errs := checkList(key+".queues", r.Queues)
	errs = append(errs, checkList(key+".waiting_statuses", r.WaitingStatuses)...)
	errs = append(errs, checkList(key+".available_profiles", r.AvailableProfiles)...)
	return errs
}

func (r *Report) validateUserActivity(key string) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(key+format, args...))
	}

	errs = append(errs, r.validateWindow(key)...)

	if len(r.Groups) == 0 && len(r.Extensions) == 0 {
		fail(": set groups, extensions or both")
	}
	errs = append(errs, checkList(key+".groups", r.Groups)...)
	errs = append(errs, checkList(key+".extensions", r.Extensions)...)

	errs = append(errs, r.validateWaitInterval(key)...)
	errs = append(errs, r.validateCallArea(key)...)
	errs = append(errs, r.validateTimeZone(key)...)

	errs = append(errs, r.Options.validate(key+".options")...)
	return errs
}

func (r *Report) validateWindow(key string) []error {
	if r.Window == "" {
		r.Window = DefaultWindow
	}
	w, err := ParseWindow(r.Window)
	if err != nil {
		return []error{fmt.Errorf("%s.window: %w", key, err)}
	}
	r.ParsedWindow = w
	return nil
}

func (o Options) validate(key string) []error {
	var errs []error
	if o.Top < 0 {
		errs = append(errs, fmt.Errorf("%s.top: invalid value %d: want 0 or more", key, o.Top))
	}
	if o.Skip < 0 {
		errs = append(errs, fmt.Errorf("%s.skip: invalid value %d: want 0 or more", key, o.Skip))
	}
	return errs
}

// checkList rejects empty and repeated entries, which would send a request for every group
// or produce duplicate series.
func checkList(key string, values []string) []error {
	var errs []error
	seen := map[string]bool{}
	for i, v := range values {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: empty value", key, i))
			continue
		}
		if seen[v] {
			errs = append(errs, fmt.Errorf("%s[%d]: %q is listed twice", key, i, v))
		}
		seen[v] = true
	}
	return errs
}

func (r *Report) validateExtensionStatistics(key string) []error {
	errs := r.validateWindow(key)

	if len(r.Groups) == 0 {
		r.Groups = slices.Clone(DefaultExtensionStatisticsGroups)
	}
	errs = append(errs, checkList(key+".groups", r.Groups)...)

	errs = append(errs, r.validateCallArea(key)...)
	return append(errs, r.Options.validate(key+".options")...)
}

func (r *Report) validateQueueAgents(key string) []error {
	errs := r.validateWindow(key)

	errs = append(errs, r.validateQueues(key)...)
	errs = append(errs, r.validateWaitInterval(key)...)
	return append(errs, r.Options.validate(key+".options")...)
}

// validateQueues rejects empty, repeated and comma-separated queue numbers. Each report
// function takes one queue number, and 3CX returns nothing for a list.
func (r *Report) validateQueues(key string) []error {
	errs := checkList(key+".queues", r.Queues)
	for i, queue := range r.Queues {
		if strings.Contains(queue, ",") {
			errs = append(errs, fmt.Errorf("%s.queues[%d]: %q contains a comma: list each queue"+
				" number on its own, because the PBX reports one queue per request", key, i, queue))
		}
	}
	return errs
}

// validateWaitInterval requires whole seconds, the resolution of the TimeSpan sent.
func (r *Report) validateWaitInterval(key string) []error {
	wait := time.Duration(r.WaitInterval)
	if wait < 0 || wait%time.Second != 0 {
		return []error{fmt.Errorf("%s.wait_interval: invalid value %s: want whole seconds, 0s or more", key, r.WaitInterval)}
	}
	return nil
}

// validateCallArea fills in the default call area and parses it.
func (r *Report) validateCallArea(key string) []error {
	if r.CallArea == "" {
		r.CallArea = DefaultCallArea
	}
	area, err := ParseCallArea(r.CallArea)
	r.ParsedCallArea = area
	if err != nil {
		return []error{fmt.Errorf("%s.call_area: %w", key, err)}
	}
	return nil
}

// validateTimeZone loads the report's own time zone, when it sets one.
func (r *Report) validateTimeZone(key string) []error {
	if r.TimeZone == "" {
		return nil
	}
	loc, err := loadTimeZone(r.TimeZone)
	if err != nil {
		return []error{fmt.Errorf("%s.time_zone: %w", key, err)}
	}
	r.Location = loc
	return nil
}

func (r *Report) validateStatus(key string) []error {
	errs := r.Options.validate(key + ".options")
	if len(r.Options.Select) > 0 {
		errs = append(errs, fmt.Errorf("%s.options.select: set to %q, but a status report selects the"+
			" user fields it reads; remove the key", key, r.Options.Select))
	}
	if len(r.Options.Expand) > 0 {
		errs = append(errs, fmt.Errorf("%s.options.expand: set to %q, but a status report reads no"+
			" related entities; remove the key", key, r.Options.Expand))
	}
	return errs
}
