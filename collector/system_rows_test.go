package collector_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// serveBody returns a fault that responds to path with body and lets every other request
// through to the fake.
func serveBody(path, body string) threecxtest.Fault {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1"+path {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
		return true
	}
}

func TestSystemServiceNullStatusNoSeries(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = serveBody("/Services",
		`{"value":[{"Name":"3CXNull","DisplayName":"Null status","Status":null},`+
			`{"Name":"3CXRunning","DisplayName":"Running","Status":"Running"}]}`)

	var want strings.Builder
	for _, status := range serviceStatuses {
		fmt.Fprintf(&want, "threecx_service_status{report=\"pbx\",service=\"3CXRunning\",status=%q} %d\n",
			status, map[bool]int{true: 1}[status == "Running"])
	}
	want.WriteString("threecx_service_info{name=\"Null status\",service=\"3CXNull\"} 1\n")
	want.WriteString("threecx_service_info{name=\"Running\",service=\"3CXRunning\"} 1\n")
	compareSamples(t, pbx.collector(), want.String(), "threecx_service_status", "threecx_service_info")
}

// TestSystemRowsListedTwice lists a trunk, a service and an SBC twice, as paging does with
// a row that moves between two pages while they are read. Each must give one set of series.
func TestSystemRowsListedTwice(t *testing.T) {
	pbx := newTestPBX(t, systemConfig, threecxtest.DefaultClientSecret)
	pbx.fake.Intercept = threecxtest.Chain(
		serveBody("/Trunks", `{"value":[{"Id":1,"Number":"10000","IsOnline":true},`+
			`{"Id":1,"Number":"10000","IsOnline":true}]}`),
		serveBody("/Services", `{"value":[{"Name":"3CXCallFlow","Status":"Running"},`+
			`{"Name":"3CXCallFlow","Status":"Running"}]}`),
		serveBody("/Sbcs", `{"value":[{"Name":"branch","HasConnection":true,"Connection":{"Latency":12}},`+
			`{"Name":"branch","HasConnection":true,"Connection":{"Latency":12}}]}`),
	)

	var want strings.Builder
	want.WriteString("threecx_trunk_online{report=\"pbx\",trunk=\"10000\"} 1\n")
	for _, status := range serviceStatuses {
		fmt.Fprintf(&want, "threecx_service_status{report=\"pbx\",service=\"3CXCallFlow\",status=%q} %d\n",
			status, map[bool]int{true: 1}[status == "Running"])
	}
	want.WriteString("threecx_sbc_connected{report=\"pbx\",sbc=\"branch\"} 1\n")
	want.WriteString("threecx_sbc_latency_seconds{report=\"pbx\",sbc=\"branch\"} 0.012\n")
	compareSamples(t, pbx.collector(), want.String(),
		"threecx_trunk_online", "threecx_service_status", "threecx_sbc_connected", "threecx_sbc_latency_seconds")
}
