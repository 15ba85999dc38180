// Package demo runs the fake PBX with a config that enables every report type, for
// --demo and for tests that exercise the whole exporter.
package demo

import (
	"fmt"
	"net/http/httptest"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// TargetName is the name of the demo's one target.
const TargetName = "demo"

// configTemplate is the demo's config. %s is the fake PBX's URL.
const configTemplate = `
targets:
  demo:
    url: %s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
    time_zone: Europe/Berlin
    max_concurrency: 4
reports:
  activity_today:
    type: user_activity
    window: today
    groups: [GRP0001, GRP0002]
    extensions: ["100", "101", "102", "103", "104", "105", "106", "107"]
    include_queue_calls: true
  activity_last_hour:
    type: user_activity
    window: 1h
    groups: [GRP0000]
    call_area: external
  talk_today:
    type: extension_statistics
    window: today
    groups: [GRP0000, GRP0001]
  agents_today:
    type: queue_agents
    window: today
  agents_last_hour:
    type: queue_agents
    window: 1h
    queues: ["801"]
    wait_interval: 20s
  live:
    type: status
  system:
    type: system
    min_interval: 1m
  queue_service_today:
    type: queue_service
    window: today
    wait_interval: 5s
  queue_live:
    type: queue_live
`

// ConfigYAML returns the demo's config for a fake PBX at url.
func ConfigYAML(url string) []byte {
	return fmt.Appendf(nil, configTemplate, url)
}

// Demo is a running fake PBX and the config that scrapes it.
type Demo struct {
	Fake   *threecxtest.Server
	Server *httptest.Server
	Config *config.Config
}

// Start starts a fake PBX with the demo directory on a loopback port.
func Start() (*Demo, error) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	server := httptest.NewServer(fake)

	cfg, err := config.Parse(ConfigYAML(server.URL))
	if err != nil {
		server.Close()
		return nil, fmt.Errorf("built-in demo config: %w", err)
	}
	return &Demo{Fake: fake, Server: server, Config: cfg}, nil
}

// Close stops the fake PBX.
func (d *Demo) Close() {
	d.Server.Close()
}
