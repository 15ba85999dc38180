package main

import (
	"log/slog"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/internal/demo"
)

// startDemo starts the fake PBX of --demo and returns the config that scrapes it.
func startDemo(logger *slog.Logger) (*config.Config, func(), error) {
	d, err := demo.Start()
	if err != nil {
		return nil, nil, err
	}
	logger.Info("demo mode: serving a fake PBX; --config.file is ignored", "url", d.Server.URL)
	return d.Config, d.Close, nil
}
