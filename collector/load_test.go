package collector_test

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// Settings of the load test.
const (
	loadScrapers       = 50
	loadDuration       = 30 * time.Second
	loadLatency        = 50 * time.Millisecond
	loadMaxConcurrency = 4
	loadMinInterval    = 5 * time.Second
	// loadHeapGrowth is the growth of the live heap from the first third of the run to its
	// end above which memory does not count as flat.
	loadHeapGrowth = 8 << 20
)

// loadConfig has a live report fetched at every scrape and a heavy one with a min_interval.
var loadConfig = fmt.Sprintf(`
targets:
  pbx:
    url: %%s
    client_id: %s
    client_secret: %s
    max_concurrency: %d
reports:
  live:
    type: user_activity
    window: 1h
    extensions: ["100", "101", "102", "103"]
  heavy:
    type: user_activity
    window: today
    groups: [GRP0001, GRP0002]
    min_interval: %s
`, threecxtest.DefaultClientID, threecxtest.DefaultClientSecret, loadMaxConcurrency, loadMinInterval)

// TestLoad runs 50 scrapers for 30 s against a fake PBX that takes 50 ms per request. It
// runs only when THREECX_LOAD_TEST=1, because it takes that long.
func TestLoad(t *testing.T) {
	if os.Getenv("THREECX_LOAD_TEST") != "1" {
		t.Skip("skipping: set THREECX_LOAD_TEST=1 to run the 30 s load test")
	}

	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	fake.Intercept = threecxtest.Delay(loadLatency)
	pbx := httptest.NewServer(fake)
	defer pbx.Close()

	cfg, err := config.Parse(fmt.Appendf(nil, loadConfig, pbx.URL))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := collector.NewTargets(cfg, collector.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer targets["pbx"].Close()
	h := collector.NewHandler(slog.New(slog.DiscardHandler), collector.DefaultTimeoutOffset)
	h.SetTargets(targets)
	exporter := httptest.NewServer(http.HandlerFunc(h.Probe))
	defer exporter.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadScrapers}}
	defer client.CloseIdleConnections()

	start := time.Now()
	end := start.Add(loadDuration)
	var scrapes, failures atomic.Int64
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	for range loadScrapers {
		wg.Go(func() {
			for time.Now().Before(end) {
				scrapes.Add(1)
				if err := loadScrape(client, exporter.URL); err != nil {
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}

	time.Sleep(loadDuration / 3) // The run's length is what is measured, not a wait for a condition.
	heapEarly := liveHeap()
	wg.Wait()
	elapsed := time.Since(start)
	heapLate := liveHeap()

	t.Logf("%d scrapes in %s, live heap %.1f MiB after a third and %.1f MiB at the end",
		scrapes.Load(), elapsed.Round(time.Millisecond), float64(heapEarly)/(1<<20), float64(heapLate)/(1<<20))
	if n := failures.Load(); n > 0 {
		t.Errorf("%d of %d scrapes failed, the first: %v", n, scrapes.Load(), firstFailure.Load())
	}
	if got := fake.MaxInFlight(); got > loadMaxConcurrency {
		t.Errorf("requests in flight at the PBX = %d, want at most max_concurrency %d", got, loadMaxConcurrency)
	}

	liveFetches, heavyFetches := countLoadFetches(fake.Requests())
	t.Logf("fetches: live %d, heavy %d; max requests in flight at the PBX %d",
		liveFetches, heavyFetches, fake.MaxInFlight())
	maxHeavy := int(math.Ceil(elapsed.Seconds()/loadMinInterval.Seconds())) + 1
	if heavyFetches > maxHeavy {
		t.Errorf("heavy report fetched %d times in %s, want at most %d: one per min_interval of %s",
			heavyFetches, elapsed, maxHeavy, loadMinInterval)
	}
	// Each fetch of the live report takes at least one round trip of loadLatency, and
	// concurrent scrapes share it.
	maxLive := int(elapsed/loadLatency) + 1
	if liveFetches > maxLive {
		t.Errorf("live report fetched %d times in %s, want at most %d: one at a time", liveFetches, elapsed, maxLive)
	}
	if heapLate > heapEarly+loadHeapGrowth {
		t.Errorf("live heap grew from %d to %d bytes, want at most %d bytes of growth",
			heapEarly, heapLate, loadHeapGrowth)
	}
}

// loadScrape scrapes the target and checks that every report worked.
func loadScrape(client *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url+"?target=pbx", nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "10")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	text := string(body)
	for _, want := range []string{"threecx_up 1", `threecx_report_success{report="live"} 1`, `threecx_report_success{report="heavy"} 1`} {
		if !strings.Contains(text, want) {
			return fmt.Errorf("status %d, the scrape lacks %q", resp.StatusCode, want)
		}
	}
	return nil
}

// countLoadFetches counts the fetches of each report of loadConfig from the requests: the
// live report's fetch requests extension 100 once, the heavy one's group GRP0001.
func countLoadFetches(requests []threecxtest.Request) (live, heavy int) {
	for _, r := range requests {
		switch {
		case strings.Contains(r.Path, "extensionDns='100'"):
			live++
		case strings.Contains(r.Path, "groupNumber='GRP0001'"):
			heavy++
		}
	}
	return live, heavy
}

func liveHeap() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}
