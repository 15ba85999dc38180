package collector_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func probeWithTimeoutHeader(t *testing.T, url, header string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/probe?target=office", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestProbeRejectsNonFiniteScrapeTimeout checks header values that strconv.ParseFloat
// accepts but that are not a finite number of seconds.
func TestProbeRejectsNonFiniteScrapeTimeout(t *testing.T) {
	exporter, fake, _ := newHandler(t, twoTargetsConfig)

	for _, header := range []string{"NaN", "Inf", "+Inf", "-Inf"} {
		t.Run(header, func(t *testing.T) {
			status, body := probeWithTimeoutHeader(t, exporter.URL, header)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", status)
			}
			if !strings.Contains(body, fmt.Sprintf("%q", header)) {
				t.Errorf("body %q does not name the header value", body)
			}
		})
	}
	if got := len(fake.Requests()); got != 0 {
		t.Errorf("API requests = %d, want 0", got)
	}
}

// TestProbeCapsHugeScrapeTimeout checks that a timeout too large for a time.Duration is
// capped by the target's timeout rather than wrapping to a deadline in the past.
func TestProbeCapsHugeScrapeTimeout(t *testing.T) {
	exporter, _, _ := newHandler(t, twoTargetsConfig)

	for _, header := range []string{"1e10", "1e300"} {
		t.Run(header, func(t *testing.T) {
			status, body := probeWithTimeoutHeader(t, exporter.URL, header)
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body %q", status, body)
			}
			if !strings.Contains(body, `threecx_report_success{report="today"} 1`) {
				t.Errorf("the report failed with the header %s:\n%s", header, body)
			}
			if !strings.Contains(body, "threecx_up 1") {
				t.Errorf("threecx_up is not 1 with the header %s", header)
			}
		})
	}
}
