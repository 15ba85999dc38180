package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
)

// TestReloaderConcurrentScrapes reloads, in the test's process so that the race detector
// sees it, between two configs while scrapes of the target in both run all the time. Every
// scrape must work.
func TestReloaderConcurrentScrapes(t *testing.T) {
	_, pbxURL, _ := startFakePBX(t)
	var configs []*config.Config
	for _, text := range []string{fmt.Sprintf(e2eConfig, pbxURL), twoTargets(pbxURL)} {
		cfg, err := config.Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		configs = append(configs, cfg)
	}

	var loads atomic.Int64
	load := func() (*config.Config, error) {
		return configs[loads.Add(1)%2], nil
	}
	handler := collector.NewHandler(slog.New(slog.DiscardHandler), collector.DefaultTimeoutOffset)
	reloader := newReloader(slog.New(slog.DiscardHandler), "test", load, handler, collector.Options{})
	if err := reloader.start(); err != nil {
		t.Fatal(err)
	}
	office := handler.Targets()["office"]
	server := httptest.NewServer(newRoutes(handler, reloader, prometheus.NewRegistry()))
	defer server.Close()

	const reloads, scrapers = 20, 4
	done := make(chan struct{})
	var wg sync.WaitGroup
	failures := make(chan string, scrapers)
	for range scrapers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				for _, path := range []string{"/probe?target=office", "/metrics", "/"} {
					if status := getStatus(server.URL + path); status != http.StatusOK {
						failures <- fmt.Sprintf("%s: status %d", path, status)
						return
					}
				}
			}
		})
	}
	for range reloads {
		if err := reloader.reload(); err != nil {
			t.Errorf("reload: %v", err)
		}
	}
	close(done)
	wg.Wait()
	close(failures)

	for failure := range failures {
		t.Error(failure)
	}
	if handler.Targets()["office"] != office {
		t.Error("office got a new Target although its settings are the same in both configs")
	}
	if got := loads.Load(); got != reloads+1 {
		t.Errorf("loads = %d, want %d", got, reloads+1)
	}
}

func getStatus(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
