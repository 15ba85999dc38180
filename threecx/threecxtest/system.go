package threecxtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Trunk is a SIP trunk of the fake PBX.
type Trunk struct {
	ID     int32
	Number string
	// Name is the name of the trunk's gateway, which the console shows as the trunk's name.
	Name   string
	Online bool
}

// Service is an operating system service of the fake PBX.
type Service struct {
	Name        string
	DisplayName string
	// Status is a value of the XAPI's ServiceStatus enumeration, such as Running.
	Status string
}

// SBC is a Session Border Controller of the fake PBX.
type SBC struct {
	Name        string
	DisplayName string
	Connected   bool
	// LatencyMillis is the tunnel's latency in milliseconds, or nil when not reported.
	LatencyMillis *int64
}

func demoTrunks() []Trunk {
	return []Trunk{
		{ID: 11, Number: "10000", Name: "Telekom SIP", Online: true},
		{ID: 12, Number: "10001", Name: "Backup \"LTE\" trunk", Online: false},
	}
}

func demoServices() []Service {
	return []Service{
		{Name: "3CXPhoneSystem01", DisplayName: "3CX PhoneSystem", Status: "Running"},
		{Name: "3CXCallFlow01", DisplayName: "3CX Call Flow Server", Status: "Running"},
		{Name: "3CXQueueManager01", DisplayName: "3CX Queue Manager", Status: "StartPending"},
		{Name: "3CXFaxServer01", DisplayName: "3CX Fax Server", Status: "Stopped"},
	}
}

func demoSBCs() []SBC {
	latency := int64(42)
	return []SBC{
		{Name: "branch", DisplayName: "Branch office", Connected: true, LatencyMillis: &latency},
		{Name: "home", DisplayName: "Home workers", Connected: false},
	}
}

type trunkRow struct {
	ID       int32       `json:"Id"`
	Number   string      `json:"Number"`
	IsOnline bool        `json:"IsOnline"`
	Gateway  *gatewayRow `json:"Gateway,omitempty"`
	// Direction stands for the fields the exporter does not select.
	Direction string `json:"Direction"`
}

type gatewayRow struct {
	ID   int32  `json:"Id"`
	Name string `json:"Name"`
	Host string `json:"Host"`
}

type serviceRow struct {
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	Status      string `json:"Status"`
	MemoryUsed  int64  `json:"MemoryUsed"`
}

type sbcRow struct {
	Name          string         `json:"Name"`
	DisplayName   string         `json:"DisplayName"`
	HasConnection bool           `json:"HasConnection"`
	Connection    *sbcConnection `json:"Connection"`
	Password      string         `json:"Password"`
}

type sbcConnection struct {
	Latency *int64 `json:"Latency,omitempty"`
	Up      bool   `json:"Up"`
}

func (s *Server) serveTrunks(w http.ResponseWriter, r *http.Request) {
	rows := make([]trunkRow, 0, len(s.Directory.Trunks))
	for _, t := range s.Directory.Trunks {
		rows = append(rows, trunkRow{
			ID: t.ID, Number: t.Number, IsOnline: t.Online, Direction: "Both",
			Gateway: &gatewayRow{ID: t.ID, Name: t.Name, Host: "sip.example.net"},
		})
	}
	writeProjected(w, r, "Pbx.Trunk", rows, []string{"Gateway"})
}

func (s *Server) serveServices(w http.ResponseWriter, r *http.Request) {
	rows := make([]serviceRow, 0, len(s.Directory.Services))
	for _, svc := range s.Directory.Services {
		rows = append(rows, serviceRow{Name: svc.Name, DisplayName: svc.DisplayName, Status: svc.Status, MemoryUsed: 1 << 20})
	}
	writeProjected(w, r, "Pbx.ServiceInfo", rows, nil)
}

func (s *Server) serveSBCs(w http.ResponseWriter, r *http.Request) {
	rows := make([]sbcRow, 0, len(s.Directory.SBCs))
	for _, sbc := range s.Directory.SBCs {
		row := sbcRow{Name: sbc.Name, DisplayName: sbc.DisplayName, HasConnection: sbc.Connected, Password: "sbc-secret"}
		if sbc.Connected {
			row.Connection = &sbcConnection{Latency: sbc.LatencyMillis, Up: true}
		}
		rows = append(rows, row)
	}
	writeProjected(w, r, "Pbx.Sbc", rows, nil)
}

// writeProjected writes a collection of rows after applying $select and $expand the way
// an OData service does: navigation properties appear only when expanded, and a property
// the type lacks is rejected with 400.
func writeProjected[T any](w http.ResponseWriter, r *http.Request, typeName string, rows []T, navigation []string) {
	projected, err := projectRows(r.URL.RawQuery, typeName, rows, navigation)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	writeCollection(w, r, projected)
}

func projectRows[T any](rawQuery, typeName string, rows []T, navigation []string) ([]map[string]any, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("malformed query: %v", err)
	}
	selected := splitList(values.Get("$select"))
	expanded, err := parseExpand(values.Get("$expand"))
	if err != nil {
		return nil, err
	}

	out := make([]map[string]any, 0, len(rows))
	for _, row := range rows {
		m, err := toMap(row)
		if err != nil {
			return nil, err
		}
		p, err := project(m, typeName, selected, expanded, navigation)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// project keeps the selected properties of m (all when selected is empty) and the
// navigation properties named in expanded, each with its own nested $select.
func project(m map[string]any, typeName string, selected []string, expanded map[string][]string, navigation []string) (map[string]any, error) {
	// The messages are those of the PBX's OData service, capitals and full stops included.
	for _, name := range selected {
		if _, ok := m[name]; !ok || slices.Contains(navigation, name) {
			//lint:ignore ST1005 the message is the PBX's own
			return nil, fmt.Errorf("Could not find a property named '%s' on type '%s'.", name, typeName)
		}
	}
	for name := range expanded {
		if !slices.Contains(navigation, name) {
			//lint:ignore ST1005 the message is the PBX's own
			return nil, fmt.Errorf("Property '%s' on type '%s' is not a navigation property or complex property.", name, typeName)
		}
	}

	out := map[string]any{}
	for name, value := range m {
		if slices.Contains(navigation, name) {
			continue
		}
		if len(selected) == 0 || slices.Contains(selected, name) {
			out[name] = value
		}
	}
	for name, nestedSelect := range expanded {
		nested, ok := m[name].(map[string]any)
		if !ok {
			out[name] = nil
			continue
		}
		p, err := project(nested, name, nestedSelect, nil, nil)
		if err != nil {
			return nil, err
		}
		out[name] = p
	}
	return out, nil
}

// parseExpand parses "A,B($select=X,Y)" into the expanded names and their nested $select.
func parseExpand(s string) (map[string][]string, error) {
	expanded := map[string][]string{}
	for _, item := range splitOutsideParens(s) {
		name, options, hasOptions := strings.Cut(item, "(")
		if !hasOptions {
			expanded[name] = nil
			continue
		}
		options, ok := strings.CutSuffix(options, ")")
		list, isSelect := strings.CutPrefix(options, "$select=")
		if !ok || !isSelect {
			return nil, fmt.Errorf("the fake PBX supports only $select inside $expand, got %q", item)
		}
		expanded[name] = splitList(list)
	}
	return expanded, nil
}

func splitOutsideParens(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func toMap(row any) (map[string]any, error) {
	data, err := json.Marshal(row)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = json.Unmarshal(data, &m)
	return m, err
}
