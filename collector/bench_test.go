package collector_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// benchClock is the scrape time of the benchmarks, so that every run fetches the same data.
var benchClock = time.Date(2026, 3, 3, 11, 20, 0, 0, time.UTC)

// extensionsConfig returns a config with one user_activity report that requests each of
// the first n extensions of threecxtest.GeneratedDirectory, which gives 2n series.
func extensionsConfig(url string, n, maxConcurrency int) []byte {
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = strconv.Quote(strconv.Itoa(1000 + i))
	}
	return fmt.Appendf(nil, `
targets:
  pbx:
    url: %s
    client_id: %s
    client_secret: %s
    max_concurrency: %d
reports:
  activity:
    type: user_activity
    window: 1h
    extensions: [%s]
`, url, threecxtest.DefaultClientID, threecxtest.DefaultClientSecret, maxConcurrency, strings.Join(numbers, ", "))
}

// replayTransport returns for each request the body that the fake PBX sent for it the first
// time, so that a benchmark measures the exporter without the fake's work or the network.
type replayTransport struct {
	mu     sync.Mutex
	fake   http.Handler
	bodies map[string][]byte
	types  map[string]string
}

func (rt *replayTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + req.URL.RequestURI()
	rt.mu.Lock()
	body, ok := rt.bodies[key]
	contentType := rt.types[key]
	rt.mu.Unlock()

	if !ok || req.URL.Path == "/connect/token" {
		recorder := httptest.NewRecorder()
		rt.fake.ServeHTTP(recorder, req)
		body, contentType = recorder.Body.Bytes(), recorder.Header().Get("Content-Type")
		if recorder.Code != http.StatusOK {
			return nil, fmt.Errorf("the fake answered %s with %d: %s", key, recorder.Code, body)
		}
		rt.mu.Lock()
		rt.bodies[key], rt.types[key] = body, contentType
		rt.mu.Unlock()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {contentType}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// BenchmarkReportToMetrics measures a scrape from decoding the PBX's JSON to writing the
// exposition text, per series of the report.
func BenchmarkReportToMetrics(b *testing.B) {
	for _, series := range []int{10, 1_000, 10_000} {
		b.Run(fmt.Sprintf("series=%d", series), func(b *testing.B) {
			extensions := series / 2
			fake := threecxtest.NewServer(threecxtest.GeneratedDirectory(extensions))
			fake.Now = func() time.Time { return benchClock }
			transport := &replayTransport{fake: fake, bodies: map[string][]byte{}, types: map[string]string{}}

			cfg, err := config.Parse(extensionsConfig("http://pbx.invalid", extensions, 4))
			if err != nil {
				b.Fatal(err)
			}
			targets, err := collector.NewTargets(cfg, collector.Options{
				HTTPClient: &http.Client{Transport: transport},
				Now:        func() time.Time { return benchClock },
			})
			if err != nil {
				b.Fatal(err)
			}
			target := targets["pbx"]
			if got := scrapeToText(b, target); got < series {
				b.Fatalf("the scrape wrote %d series, want at least %d", got, series)
			}

			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				scrapeToText(b, target)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)

			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/float64(series), "ns/series")
			allocs := float64(after.Mallocs-before.Mallocs) / float64(b.N)
			b.ReportMetric(allocs/float64(series), "allocs/series")
		})
	}
}

// scrapeToText scrapes target into a registry of its own, writes the text format and
// returns the number of series written.
func scrapeToText(b *testing.B, target *collector.Target) int {
	registry := prometheus.NewRegistry()
	registry.MustRegister(target.Collector(context.Background()))
	families, err := registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	encoder := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
	series := 0
	for _, family := range families {
		if err := encoder.Encode(family); err != nil {
			b.Fatal(err)
		}
		series += len(family.GetMetric())
	}
	return series
}

// BenchmarkScrapeWallTime measures a whole /probe scrape against the fake PBX with 20 ms
// per request, next to the floor that max_concurrency sets.
func BenchmarkScrapeWallTime(b *testing.B) {
	const latency = 20 * time.Millisecond
	const maxConcurrency = 4
	for _, extensions := range []int{10, 100, 1_000} {
		b.Run(fmt.Sprintf("extensions=%d", extensions), func(b *testing.B) {
			fake := threecxtest.NewServer(threecxtest.GeneratedDirectory(extensions))
			fake.Now = func() time.Time { return benchClock }
			fake.Intercept = threecxtest.Delay(latency)
			pbx := httptest.NewServer(fake)
			defer pbx.Close()

			cfg, err := config.Parse(extensionsConfig(pbx.URL, extensions, maxConcurrency))
			if err != nil {
				b.Fatal(err)
			}
			targets, err := collector.NewTargets(cfg, collector.Options{Now: func() time.Time { return benchClock }})
			if err != nil {
				b.Fatal(err)
			}
			defer targets["pbx"].Close()
			h := collector.NewHandler(nil, collector.DefaultTimeoutOffset)
			h.SetTargets(targets)
			exporter := httptest.NewServer(http.HandlerFunc(h.Probe))
			defer exporter.Close()

			probeOnce(b, exporter.URL) // fetches the token
			b.ResetTimer()
			for b.Loop() {
				probeOnce(b, exporter.URL)
			}
			b.StopTimer()

			wall := b.Elapsed() / time.Duration(b.N)
			floor := time.Duration(math.Ceil(float64(extensions)/maxConcurrency)) * latency
			b.ReportMetric(float64(wall.Microseconds())/1000, "wall-ms")
			b.ReportMetric(float64(floor.Microseconds())/1000, "floor-ms")
			b.ReportMetric(100*(float64(wall)/float64(floor)-1), "overhead-%")
		})
	}
}

func probeOnce(b *testing.B, url string) {
	req, err := http.NewRequest(http.MethodGet, url+"?target=pbx", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "120")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`threecx_report_success{report="activity"} 1`)) {
		b.Fatalf("the report failed:\n%s", body)
	}
}

// BenchmarkExporterPeakMemory builds the exporter, scrapes 10,000 series from it once and
// reports the peak resident memory of its process (VmHWM of Linux).
func BenchmarkExporterPeakMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("skipping: needs Linux's /proc")
	}
	const series = 10_000
	dir := b.TempDir()
	binary := filepath.Join(dir, "threecx_exporter")
	build := exec.Command("go", "build", "-o", binary, "..")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the exporter: %v\n%s", err, out)
	}

	fake := threecxtest.NewServer(threecxtest.GeneratedDirectory(series / 2))
	pbx := httptest.NewServer(fake)
	defer pbx.Close()
	configFile := filepath.Join(dir, "exporter.yml")
	if err := os.WriteFile(configFile, extensionsConfig(pbx.URL, series/2, 4), 0o600); err != nil {
		b.Fatal(err)
	}

	for b.Loop() {
		peak := runExporterOnce(b, binary, configFile)
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
	}
}

// runExporterOnce starts the exporter, scrapes it once and returns its peak resident
// memory in KiB.
func runExporterOnce(b *testing.B, binary, configFile string) int {
	address := freeAddress(b)
	cmd := exec.Command(binary, "--config.file="+configFile, "--web.listen-address="+address)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()

	url := "http://" + address
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/metrics")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("the exporter did not start listening on %s: %v", address, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	resp, err := http.Get(url + "/probe?target=pbx")
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if got := bytes.Count(body, []byte("\nthreecx_user_activity_calls{")); got != 10_000 {
		b.Fatalf("the scrape has %d user activity series, want 10000", got)
	}
	return peakRSS(b, cmd.Process.Pid)
}

func freeAddress(b *testing.B) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer listener.Close()
	return listener.Addr().String()
}

// peakRSS returns VmHWM of the process in KiB.
func peakRSS(b *testing.B, pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if value, ok := strings.CutPrefix(scanner.Text(), "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")))
			if err != nil {
				b.Fatalf("parse VmHWM %q: %v", value, err)
			}
			return kib
		}
	}
	b.Fatal("no VmHWM in the process status")
	return 0
}
