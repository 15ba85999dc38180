package collector_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

var faultClock = time.Date(2026, 3, 3, 11, 20, 0, 0, time.UTC)

// faultConfig has one target and two reports with three requests between them. %[1]s is
// the fake PBX's URL and %[2]s more target keys, indented by four spaces.
const faultConfig = `
targets:
  pbx:
    url: %[1]s
    client_id: ` + threecxtest.DefaultClientID + `
    client_secret: ` + threecxtest.DefaultClientSecret + `
    max_concurrency: 4
%[2]s
reports:
  agents:
    type: user_activity
    window: 1h
    extensions: ["100", "101"]
  sales:
    type: user_activity
    window: 1h
    groups: [GRP0001]
`

// faultReports are the reports of faultConfig and their requests per scrape.
var faultReports = map[string]int{"agents": 2, "sales": 1}

// faultEnv is a fake PBX behind a fault, and an exporter that scrapes it.
type faultEnv struct {
	fake     *threecxtest.Server
	counter  *threecxtest.Counter
	pbx      *httptest.Server
	exporter *httptest.Server
	logs     *syncBuffer
}

type faultSetup struct {
	fault threecxtest.Fault
	// tls serves the fake PBX over TLS with httptest's self-signed certificate.
	tls bool
	// targetKeys returns more keys of the target for the PBX's server.
	targetKeys func(t *testing.T, pbx *httptest.Server) string
	// downPBX points the target at a port that nothing listens on.
	downPBX bool
	metrics *collector.Metrics
}

func startFaultEnv(t *testing.T, setup faultSetup) *faultEnv {
	t.Helper()
	env := &faultEnv{
		fake:    threecxtest.NewServer(threecxtest.DemoDirectory()),
		counter: &threecxtest.Counter{},
		logs:    &syncBuffer{},
	}
	env.fake.Now = func() time.Time { return faultClock }
	fault := setup.fault
	if fault == nil {
		fault = func(http.ResponseWriter, *http.Request) bool { return false }
	}
	env.fake.Intercept = threecxtest.Chain(env.counter.Fault(), fault)

	if setup.tls {
		env.pbx = httptest.NewTLSServer(env.fake)
	} else {
		env.pbx = httptest.NewServer(env.fake)
	}
	t.Cleanup(env.pbx.Close)
	url := env.pbx.URL
	if setup.downPBX {
		env.pbx.Close()
	}

	keys := ""
	if setup.targetKeys != nil {
		keys = setup.targetKeys(t, env.pbx)
	}
	cfg, err := config.Parse(fmt.Appendf(nil, faultConfig, url, keys))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(env.logs, nil))
	targets, err := collector.NewTargets(cfg, collector.Options{
		Logger:  logger,
		Now:     func() time.Time { return faultClock },
		Metrics: setup.metrics,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, target := range targets {
			target.Close()
		}
	})

	h := collector.NewHandler(logger, collector.DefaultTimeoutOffset)
	h.SetTargets(targets)
	env.exporter = httptest.NewServer(http.HandlerFunc(h.Probe))
	t.Cleanup(env.exporter.Close)
	return env
}

// probe scrapes the target as Prometheus does with a scrape timeout in seconds, failing
// the test when the response does not arrive within that timeout. It returns the samples by
// series, such as `threecx_report_success{report="agents"}`.
func (env *faultEnv) probe(t *testing.T, timeout float64) map[string]float64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.exporter.URL+"?target=pbx", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", fmt.Sprint(timeout))
	client := &http.Client{Timeout: time.Duration(timeout * float64(time.Second))}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("the scrape timed out after %gs, its scrape timeout: %v", timeout, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return parseSamples(t, string(body))
}

func parseSamples(t *testing.T, text string) map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse the scrape: %v\n%s", err, text)
	}
	samples := map[string]float64{}
	for name, family := range families {
		for _, m := range family.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			samples[key] = m.GetGauge().GetValue()
		}
	}
	return samples
}

func successKey(report string) string {
	return fmt.Sprintf("threecx_report_success{report=%q}", report)
}

// verifyNoLeaks checks at the end of the test, after the servers closed, that no goroutine
// of the test is left.
func verifyNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

func TestScrapeBadAnswers(t *testing.T) {
	html := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	jsonType := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name       string
		fault      threecxtest.Fault
		targetKeys string
		wantUp     float64
		// wantLog are the parts each report's log line must contain, beside the target
		// and the report.
		wantLog []string
	}{
		{"HTML body", threecxtest.Respond(200, html, "<html><title>3CX Web Client</title></html>"), "", 1,
			[]string{"HTTP 200", "text/html; charset=utf-8", "<title>3CX Web Client</title>"}},
		{"HTML error page", threecxtest.Respond(502, html, "<html>502 Bad Gateway</html>"), "", 1,
			[]string{"HTTP 502", "text/html; charset=utf-8", "<html>502 Bad Gateway</html>"}},
		{"truncated JSON", threecxtest.Respond(200, jsonType, `{"value":[{"DateTimeInterval":"2026-`), "", 1,
			[]string{"HTTP 200", "application/json", "unexpected end of JSON input", "DateTimeInterval"}},
		{"wrong field type", threecxtest.Respond(200, jsonType, `{"value":[{"AnsweredCount":"seven"}]}`), "", 1,
			[]string{"HTTP 200", "application/json", "cannot unmarshal string", "AnsweredCount"}},
		{"oversized body", threecxtest.Oversized(64 << 10), "    max_body_bytes: 4096", 1,
			[]string{"HTTP 200", "application/json", "exceeds the limit of 4096 bytes"}},
		{"connection reset mid-body", threecxtest.ResetMidBody(`{"value":[{"DateTimeInterval":`), "", 1,
			[]string{"HTTP 200", "application/json", "unexpected EOF", "DateTimeInterval"}},
		{"503 on every request", threecxtest.Respond(503, http.Header{"Retry-After": {"0"}}, ""), "", 1,
			[]string{"HTTP 503 Service Unavailable"}},
		{"429 past the deadline", threecxtest.Respond(429, http.Header{"Retry-After": {"120"}}, ""), "", 1,
			[]string{"HTTP 429 Too Many Requests", "not retried"}},
		{"token in the body", threecxtest.Respond(200, html, `<p>"access_token":"eyJhbGciOi.eyJzdWIi.c2ln"</p>`), "", 1,
			[]string{"HTTP 200", "<redacted>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startFaultEnv(t, faultSetup{
				fault:      tt.fault,
				targetKeys: func(*testing.T, *httptest.Server) string { return tt.targetKeys },
			})

			samples := env.probe(t, 5)

			if got := samples["threecx_up"]; got != tt.wantUp {
				t.Errorf("threecx_up = %g, want %g", got, tt.wantUp)
			}
			logs := env.logs.String()
			for report := range faultReports {
				if got, ok := samples[successKey(report)]; !ok || got != 0 {
					t.Errorf("%s = %g (present %v), want 0", successKey(report), got, ok)
				}
				line := logLine(logs, "report="+report)
				if line == "" {
					t.Errorf("no log line for report %s in:\n%s", report, logs)
					continue
				}
				for _, part := range append([]string{"target=pbx", "level=ERROR"}, tt.wantLog...) {
					if !strings.Contains(line, part) {
						t.Errorf("log line for %s does not contain %q:\n%s", report, part, line)
					}
				}
			}
			if strings.Contains(logs, "eyJhbGciOi") {
				t.Errorf("the log contains a token:\n%s", logs)
			}
		})
	}
}

// logLine returns the first line of logs that contains part, or "".
func logLine(logs, part string) string {
	for line := range strings.Lines(logs) {
		if strings.Contains(line, part) {
			return line
		}
	}
	return ""
}

func TestScrapeRecoversByRetrying(t *testing.T) {
	tests := []struct {
		name  string
		fault threecxtest.Fault
		// wantRequests is the number of XAPI requests the PBX receives in the scrape.
		wantRequests int
	}{
		{"429 with Retry-After", threecxtest.First(1, threecxtest.Respond(429, http.Header{"Retry-After": {"0"}}, "")), 4},
		{"503 twice", threecxtest.First(2, threecxtest.Respond(503, nil, "")), 5},
		{"500 once", threecxtest.First(1, threecxtest.Respond(500, nil, "")), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startFaultEnv(t, faultSetup{fault: tt.fault})

			samples := env.probe(t, 5)

			for report := range faultReports {
				if got := samples[successKey(report)]; got != 1 {
					t.Errorf("%s = %g, want 1 after the retry", successKey(report), got)
				}
			}
			if got := env.counter.API(); got != tt.wantRequests {
				t.Errorf("XAPI requests = %d, want %d", got, tt.wantRequests)
			}
			if logs := env.logs.String(); strings.Contains(logs, "level=ERROR") {
				t.Errorf("the scrape logged an error although every report recovered:\n%s", logs)
			}
		})
	}
}

func TestScrapeUnauthorizedEveryRequest(t *testing.T) {
	env := startFaultEnv(t, faultSetup{fault: threecxtest.Respond(401, nil, "")})

	samples := env.probe(t, 5)

	if got := samples["threecx_up"]; got != 0 {
		t.Errorf("threecx_up = %g, want 0", got)
	}
	requests := 0
	for _, n := range faultReports {
		requests += n
	}
	// Each request is sent twice, with the token it had and with one fresh token.
	if got := env.counter.API(); got != 2*requests {
		t.Errorf("XAPI requests = %d, want %d", got, 2*requests)
	}
	if got := env.counter.Tokens(); got > requests+1 {
		t.Errorf("token requests = %d, want at most %d: one refresh per request", got, requests+1)
	}
	logs := env.logs.String()
	if line := logLine(logs, "the PBX rejected the exporter's credentials"); !strings.Contains(line, "target=pbx") || !strings.Contains(line, "HTTP 401") {
		t.Errorf("want one authentication error naming the target and HTTP 401, got:\n%s", logs)
	}
}

func TestScrapePBXDown(t *testing.T) {
	env := startFaultEnv(t, faultSetup{downPBX: true})

	samples := env.probe(t, 5)

	if got := samples["threecx_up"]; got != 0 {
		t.Errorf("threecx_up = %g, want 0", got)
	}
	for report := range faultReports {
		if got := samples[successKey(report)]; got != 0 {
			t.Errorf("%s = %g, want 0", successKey(report), got)
		}
	}
	logs := env.logs.String()
	if line := logLine(logs, "connection refused"); !strings.Contains(line, "target=pbx") {
		t.Errorf("want an error naming the target and the refused connection, got:\n%s", logs)
	}
}

func TestScrapeLatencyBeyondDeadline(t *testing.T) {
	verifyNoLeaks(t)
	env := startFaultEnv(t, faultSetup{fault: threecxtest.Delay(time.Minute)})

	// The scrape ends 0.5 s before Prometheus' timeout of 2 s, and probe fails the test
	// when the response comes after 2 s.
	samples := env.probe(t, 2)

	if got := samples["threecx_up"]; got != 0 {
		t.Errorf("threecx_up = %g, want 0", got)
	}
	logs := env.logs.String()
	for report := range faultReports {
		if got, ok := samples[successKey(report)]; !ok || got != 0 {
			t.Errorf("%s = %g (present %v), want 0", successKey(report), got, ok)
		}
		line := logLine(logs, "report="+report)
		if !strings.Contains(line, "not finished within the scrape timeout") {
			t.Errorf("log line for %s does not say it timed out:\n%s", report, logs)
		}
	}
}

func TestScrapeSlowReportKeepsOthers(t *testing.T) {
	verifyNoLeaks(t)
	// Only the group request of the sales report is slow.
	slow := threecxtest.Delay(time.Minute)
	fault := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.EscapedPath(), "groupNumber='GRP0001'") {
			return slow(w, r)
		}
		return false
	}
	env := startFaultEnv(t, faultSetup{fault: fault})

	samples := env.probe(t, 2)

	if got := samples[successKey("sales")]; got != 0 {
		t.Errorf("%s = %g, want 0", successKey("sales"), got)
	}
	if got := samples[successKey("agents")]; got != 1 {
		t.Errorf("%s = %g, want 1", successKey("agents"), got)
	}
	from := faultClock.Add(-time.Hour)
	for _, extension := range []string{"100", "101"} {
		answered, unanswered := countCalls(env.fake.Log, []string{extension}, from, faultClock, false, "all")
		for result, want := range map[string]int{"answered": answered, "unanswered": unanswered} {
			key := fmt.Sprintf(`threecx_user_activity_calls{extension=%q,group="",report="agents",result=%q}`, extension, result)
			if got, ok := samples[key]; !ok || got != float64(want) {
				t.Errorf("%s = %g (present %v), want %d from the call log", key, got, ok, want)
			}
		}
	}
}

// writeServerCA writes the certificate of httptest's TLS server as PEM and returns its path.
func writeServerCA(t *testing.T, pbx *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: pbx.Certificate().Raw}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScrapeSelfSignedCertificate(t *testing.T) {
	tests := []struct {
		name       string
		targetKeys func(t *testing.T, pbx *httptest.Server) string
		wantUp     float64
		wantLog    []string
	}{
		{"without ca_file", nil, 0,
			[]string{"certificate signed by unknown authority", "tls_config.ca_file"}},
		{"with ca_file", func(t *testing.T, pbx *httptest.Server) string {
			return "    tls_config:\n      ca_file: " + writeServerCA(t, pbx)
		}, 1, nil},
		{"with ca_file and a server_name the certificate lacks", func(t *testing.T, pbx *httptest.Server) string {
			return "    tls_config:\n      ca_file: " + writeServerCA(t, pbx) + "\n      server_name: pbx.invalid"
		}, 0, []string{"pbx.invalid", "tls_config.server_name"}},
		{"with ca_file and a server_name the certificate holds", func(t *testing.T, pbx *httptest.Server) string {
			return "    tls_config:\n      ca_file: " + writeServerCA(t, pbx) + "\n      server_name: example.com"
		}, 1, nil},
		{"with insecure_skip_verify", func(*testing.T, *httptest.Server) string {
			return "    tls_config:\n      insecure_skip_verify: true"
		}, 1, []string{"level=WARN", "insecure_skip_verify"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := startFaultEnv(t, faultSetup{tls: true, targetKeys: tt.targetKeys})

			samples := env.probe(t, 5)

			if got := samples["threecx_up"]; got != tt.wantUp {
				t.Errorf("threecx_up = %g, want %g", got, tt.wantUp)
			}
			logs := env.logs.String()
			for _, part := range tt.wantLog {
				if line := logLine(logs, part); !strings.Contains(line, "target=pbx") {
					t.Errorf("no log line naming the target contains %q:\n%s", part, logs)
				}
			}
			if tt.wantUp == 1 && strings.Contains(logs, "level=ERROR") {
				t.Errorf("the scrape logged an error:\n%s", logs)
			}
		})
	}
}

// writeClientCertificate writes a self-signed client certificate and its key as PEM.
func writeClientCertificate(t *testing.T, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "threecx_exporter test client"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestScrapeClientCertificate(t *testing.T) {
	// The PBX requires a client certificate, and the test's certificate is its own CA.
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	clientCert := writeClientCertificate(t, certFile, keyFile)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(clientCert)

	fake := threecxtest.NewServer(threecxtest.DemoDirectory())
	pbx := httptest.NewUnstartedServer(fake)
	pbx.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs}
	pbx.StartTLS()
	t.Cleanup(pbx.Close)

	tests := []struct {
		name   string
		keys   string
		wantUp float64
	}{
		{"without cert_file", "", 0},
		{"with cert_file and key_file", "\n      cert_file: " + certFile + "\n      key_file: " + keyFile, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := "    tls_config:\n      ca_file: " + writeServerCA(t, pbx) + tt.keys
			cfg, err := config.Parse(fmt.Appendf(nil, faultConfig, pbx.URL, keys))
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
			env := &faultEnv{exporter: exporter}

			samples := env.probe(t, 5)

			if got := samples["threecx_up"]; got != tt.wantUp {
				t.Errorf("threecx_up = %g, want %g", got, tt.wantUp)
			}
		})
	}
}

func TestSelfMetricsCountRequests(t *testing.T) {
	metrics := collector.NewMetrics()
	env := startFaultEnv(t, faultSetup{
		fault:   threecxtest.First(1, threecxtest.Respond(503, nil, "")),
		metrics: metrics,
	})

	env.probe(t, 5)

	requests := 0
	for _, n := range faultReports {
		requests += n
	}
	expected := fmt.Sprintf(`
# HELP threecx_api_requests_total XAPI requests sent to the PBX, retries included, by endpoint (function or entity set) and HTTP status code; code is "error" when no response arrived.
# TYPE threecx_api_requests_total counter
threecx_api_requests_total{code="200",endpoint="GetUserActivity",target="pbx"} %d
threecx_api_requests_total{code="503",endpoint="GetUserActivity",target="pbx"} 1
# HELP threecx_token_requests_total Access token requests sent to the PBX, by result (success or failure).
# TYPE threecx_token_requests_total counter
threecx_token_requests_total{result="failure",target="pbx"} 0
threecx_token_requests_total{result="success",target="pbx"} %d
`, requests, env.counter.Tokens())
	if err := testutil.CollectAndCompare(metrics, strings.NewReader(expected),
		"threecx_api_requests_total", "threecx_token_requests_total"); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(metrics, "threecx_api_request_duration_seconds"); got != 1 {
		t.Errorf("threecx_api_request_duration_seconds has %d series, want 1 for one endpoint", got)
	}
	if env.counter.Tokens() != 1 {
		t.Errorf("token requests = %d, want 1", env.counter.Tokens())
	}
}
