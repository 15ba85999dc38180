package main

import (
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// demoConfig is the built-in config of --demo. %s is the fake PBX's URL.
const demoConfig = `
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
`

// startDemo starts a fake PBX on a loopback port and returns the config that scrapes it.
func startDemo(logger *slog.Logger) (*config.Config, func(), error) {
	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	server := httptest.NewServer(fake)

	cfg, err := config.Parse(fmt.Appendf(nil, demoConfig, server.URL))
	if err != nil {
		server.Close()
		return nil, nil, fmt.Errorf("built-in demo config: %w", err)
	}
	logger.Info("demo mode: serving a fake PBX; --config.file is ignored", "url", server.URL)
	return cfg, server.Close, nil
}
