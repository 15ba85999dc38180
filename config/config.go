// Package config loads and validates the exporter's YAML configuration: the PBXs it may
// scrape (targets) and the reports it fetches from them.
package config

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Defaults of the target and report keys.
const (
	DefaultTimeZone       = "UTC"
	DefaultMaxConcurrency = 4
	DefaultWindow         = "today"
	DefaultCallArea       = "all"
	DefaultTimeout        = model.Duration(10 * time.Second)
	DefaultMaxBodyBytes   = 32 << 20
)

// Config is the whole configuration file.
type Config struct {
	// Targets are the PBXs the exporter may scrape, by name. /probe?target= takes a name.
	Targets map[string]*Target `yaml:"targets"`
	// Reports are the report definitions that targets refer to by name.
	Reports map[string]*Report `yaml:"reports"`

	// Warnings are problems that do not stop the config from working, one sentence each.
	Warnings []string `yaml:"-" json:"-"`
}

// Target is one PBX.
type Target struct {
	// URL is the base URL of the PBX; the API is under /xapi/v1.
	URL              string `yaml:"url"`
	ClientID         string `yaml:"client_id"`
	ClientSecret     Secret `yaml:"client_secret,omitempty"`
	ClientSecretFile string `yaml:"client_secret_file,omitempty"`
	// TimeZone is the IANA name that "today" windows and report buckets are computed in.
	TimeZone string `yaml:"time_zone"`
	// MaxConcurrency is the number of report requests in flight at once to this PBX.
	MaxConcurrency int `yaml:"max_concurrency"`
	// Reports are the names of the reports to fetch; empty means every report.
	Reports []string `yaml:"reports"`
	// Timeout caps a scrape of this target, also when Prometheus allows more.
	Timeout model.Duration `yaml:"timeout"`
	// TLSConfig is the TLS connection to the PBX.
	TLSConfig TLSConfig `yaml:"tls_config,omitempty"`
	// MaxBodyBytes caps the size of one response body, in bytes.
	MaxBodyBytes int64 `yaml:"max_body_bytes,omitempty"`

	// Location is TimeZone, loaded.
	Location *time.Location `yaml:"-"`
	// Secret is ClientSecret, or the contents of ClientSecretFile.
	Secret Secret `yaml:"-"`
	// TLS is TLSConfig, loaded.
	TLS *tls.Config `yaml:"-" json:"-"`
}

// Secret is a value that never prints: it marshals and formats as "<secret>".
type Secret string

const secretMask = "<secret>"

// String returns a mask, so that fmt and log lines never show the secret.
func (s Secret) String() string { return secretMask }

// GoString returns a mask for %#v.
func (s Secret) GoString() string { return secretMask }

// MarshalYAML returns a mask, so that a marshalled config holds no secret.
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return secretMask, nil
}

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	return Parse(data)
}

// Parse decodes and validates a configuration. Unknown keys are errors. The error lists
// every problem found, one per line, each naming the key and the value.
func Parse(data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse config: %w", err)
	}
	// The decoder stops at the first duration that does not parse, and names neither its
	// key nor its line, so durations are checked on the node tree first. The bad values are
	// then replaced by 0s, so that the decoder goes on to the file's other problems.
	durationErrs, badNodes := checkDurations(documentRoot(&root), "")
	if len(durationErrs) > 0 {
		patched, ok := replaceValues(data, badNodes, "0s")
		if !ok {
			return nil, errors.Join(durationErrs...)
		}
		data = patched
	}

	var cfg Config
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	decoder.KnownFields(true)
	var decodeErrs []error
	if err := decoder.Decode(&cfg); errors.Is(err, io.EOF) {
		return nil, errors.New("the config is empty: want at least targets and reports")
	} else if err != nil {
		var typeErr *yaml.TypeError
		if !errors.As(err, &typeErr) {
			return nil, describeYAMLError(err)
		}
		// The decoder went on past these errors, so the rest of the config can still be
		// checked and every problem listed at once.
		decodeErrs = []error{describeYAMLError(err)}
	}
	decodeErrs = append(durationErrs, decodeErrs...)

	errs := append(decodeErrs, cfg.validate(reportKeysSet(&root))...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &cfg, nil
}

var (
	unknownFieldPattern = regexp.MustCompile(`field (\S+) not found in type config\.(\w+)`)
	wrongTypePattern    = regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")
)

// sectionTypes are the config's sections by the name of their Go type, for error messages.
var sectionTypes = map[string]struct {
	where string
	value any
}{
	"Config":    {"at the top level", Config{}},
	"Target":    {"in a target", Target{}},
	"Report":    {"in a report", Report{}},
	"Options":   {"in report options", Options{}},
	"TLSConfig": {"in tls_config", TLSConfig{}},
}

// yamlKinds names the YAML node tags in words.
var yamlKinds = map[string]string{
	"str": "a string", "int": "a number", "float": "a number", "bool": "true or false",
	"seq": "a list", "map": "a mapping", "null": "nothing",
}

// describeYAMLError rewrites the decoder's errors, which name Go types, into the config's
// words, with one problem per line.
func describeYAMLError(err error) error {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return fmt.Errorf("parse config: %w", err)
	}

	errs := make([]error, 0, len(typeErr.Errors))
	for _, msg := range typeErr.Errors {
		msg = unknownFieldPattern.ReplaceAllStringFunc(msg, describeUnknownKey)
		msg = wrongTypePattern.ReplaceAllStringFunc(msg, describeWrongType)
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

func describeUnknownKey(match string) string {
	parts := unknownFieldPattern.FindStringSubmatch(match)
	key, section := parts[1], sectionTypes[parts[2]]
	where := section.where
	if where == "" {
		where = "in " + parts[2]
	}
	msg := fmt.Sprintf("unknown key %q %s", key, where)
	if section.value != nil {
		if suggestion := closestKey(key, yamlKeys(section.value)); suggestion != "" {
			msg += fmt.Sprintf("; did you mean %q?", suggestion)
		}
	}
	return msg
}

func describeWrongType(match string) string {
	parts := wrongTypePattern.FindStringSubmatch(match)
	got := yamlKinds[parts[1]]
	if got == "" {
		got = parts[1]
	}
	want := describeGoType(parts[3])
	if parts[2] == "" {
		return fmt.Sprintf("got %s where the config wants %s; check the value and its indentation", got, want)
	}
	return fmt.Sprintf("invalid value %q (%s) where the config wants %s; check the value and its indentation",
		parts[2], got, want)
}

// describeGoType names in words what a Go type of the config holds.
func describeGoType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "map[string]*config.Target"):
		return "a mapping of target names to targets"
	case strings.HasPrefix(goType, "map[string]*config.Report"):
		return "a mapping of report names to reports"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case goType == "bool":
		return "true or false"
	case goType == "string", goType == "config.Secret":
		return "a string"
	case strings.HasPrefix(goType, "config."), strings.HasPrefix(goType, "*config."):
		name := strings.TrimPrefix(strings.TrimPrefix(goType, "*"), "config.")
		if section, ok := sectionTypes[name]; ok {
			return "a mapping of keys " + section.where
		}
	}
	return goType
}

// yamlKeys returns the YAML keys of a config struct.
func yamlKeys(value any) []string {
	t := reflect.TypeOf(value)
	keys := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}

// closestKey returns the key that key is most likely a typo of: one that differs only in
// case and underscores, or by at most two edits. It returns "" when none is that close.
func closestKey(key string, keys []string) string {
	normalize := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	best, bestDistance := "", 3
	for _, candidate := range keys {
		if normalize(candidate) == normalize(key) {
			return candidate
		}
		if d := editDistance(key, candidate); d < bestDistance {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current := make([]int, len(b)+1)
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous = current
	}
	return previous[len(b)]
}

// TargetNames returns the names of the targets, sorted.
func (c *Config) TargetNames() []string {
	return sortedKeys(c.Targets)
}

// ReportNames returns the names of the reports, sorted.
func (c *Config) ReportNames() []string {
	return sortedKeys(c.Reports)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// durationKeys are the keys whose values are durations such as 30s or 5m.
var durationKeys = map[string]bool{"timeout": true, "wait_interval": true, "min_interval": true}

// checkDurations returns an error for each value of a duration key under node that is not
// a duration, naming its key path and line.
func checkDurations(node *yaml.Node, path string) ([]error, []*yaml.Node) {
	if node == nil || node.Kind != yaml.MappingNode {
		return nil, nil
	}

	var errs []error
	var bad []*yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		keyPath := key.Value
		if path != "" {
			keyPath = path + "." + key.Value
		}
		if durationKeys[key.Value] && value.Kind == yaml.ScalarNode {
			if _, err := model.ParseDuration(value.Value); err != nil {
				want := "0s or more, such as 30s, 5m or 1h"
				if key.Value == "wait_interval" {
					want = "whole seconds, 0s or more, such as 20s"
				}
				errs = append(errs, fmt.Errorf("%s: invalid duration %q (line %d): want %s",
					keyPath, value.Value, value.Line, want))
				bad = append(bad, value)
			}
			continue
		}
		childErrs, childBad := checkDurations(value, keyPath)
		errs = append(errs, childErrs...)
		bad = append(bad, childBad...)
	}
	return errs, bad
}

// replaceValues returns data with the scalar of each node replaced by value, in place on
// its line so that line numbers stay. It returns false when a scalar is not found where its
// node puts it, as with a value written with escapes or over several lines.
func replaceValues(data []byte, nodes []*yaml.Node, value string) ([]byte, bool) {
	lines := bytes.Split(data, []byte("\n"))
	// Replace from the right of each line, so that the columns of the others stay right.
	sorted := slices.Clone(nodes)
	slices.SortFunc(sorted, func(a, b *yaml.Node) int { return b.Column - a.Column })
	for _, node := range sorted {
		if node.Line < 1 || node.Line > len(lines) || node.Column < 1 || node.Column > len(lines[node.Line-1]) {
			return nil, false
		}
		line := lines[node.Line-1]
		rest := line[node.Column-1:]
		found := false
		for _, written := range []string{node.Value, `"` + node.Value + `"`, "'" + node.Value + "'"} {
			if bytes.HasPrefix(rest, []byte(written)) {
				patched := append(slices.Clone(line[:node.Column-1]), value...)
				lines[node.Line-1] = append(patched, rest[len(written):]...)
				found = true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return bytes.Join(lines, []byte("\n")), true
}

// reportKeysSet returns, for each report name, the keys written in the file with their
// line numbers. They separate keys that were set from keys left at their zero value.
func reportKeysSet(root *yaml.Node) map[string]map[string]int {
	keys := map[string]map[string]int{}
	reports := mappingValue(documentRoot(root), "reports")
	if reports == nil || reports.Kind != yaml.MappingNode {
		return keys
	}

	for i := 0; i+1 < len(reports.Content); i += 2 {
		name := reports.Content[i].Value
		report := reports.Content[i+1]
		keys[name] = map[string]int{}
		if report.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(report.Content); j += 2 {
			keys[name][report.Content[j].Value] = report.Content[j].Line
		}
	}
	return keys
}

func documentRoot(node *yaml.Node) *yaml.Node {
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		return node.Content[0]
	}
	return node
}

func mappingValue(node *yaml.Node, key string) *yaml.Node {
	if node == nil || node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == key {
			return node.Content[i+1]
		}
	}
	return nil
}
