package collector

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var cacheTestDesc = prometheus.NewDesc("cache_test_value", "Value of a test report.", nil, nil)

// blockingReport is a report whose fetch waits until release is closed or its context
// ends, and counts its fetches.
type blockingReport struct {
	release chan struct{}
	err     error
	fetches atomic.Int64
	// ctxs receives the context of each fetch.
	ctxs chan context.Context
}

func newBlockingReport() *blockingReport {
	return &blockingReport{release: make(chan struct{}), ctxs: make(chan context.Context, 16)}
}

func (r *blockingReport) name() string { return "blocking" }

func (r *blockingReport) fetch(s *scrape) (*reportData, error) {
	n := r.fetches.Add(1)
	r.ctxs <- s.ctx
	select {
	case <-r.release:
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
	if r.err != nil {
		return nil, r.err
	}
	s.answered.Store(true)
	metric := prometheus.MustNewConstMetric(cacheTestDesc, prometheus.GaugeValue, float64(n))
	return &reportData{metrics: []prometheus.Metric{metric}}, nil
}

func testTarget() *Target {
	return &Target{Name: "test", logger: slog.New(slog.DiscardHandler)}
}

// waitFor polls cond until it holds or a second passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (st *reportState) waiters() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.flight == nil {
		return 0
	}
	return st.flight.waiters
}

func TestReportStateSharesFetch(t *testing.T) {
	r := newBlockingReport()
	st := newReportState(r, 0)
	target, now := testTarget(), time.Unix(1_000_000, 0)

	results := make([]reportResult, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = st.get(context.Background(), target, now) })
	}
	waitFor(t, "two waiting scrapes", func() bool { return st.waiters() == 2 })
	close(r.release)
	wg.Wait()

	if got := r.fetches.Load(); got != 1 {
		t.Errorf("fetches = %d, want 1 for two concurrent scrapes", got)
	}
	for i, result := range results {
		if result.err != nil {
			t.Errorf("scrape %d: %v", i, result.err)
		}
		if len(result.data.metrics) != 1 {
			t.Errorf("scrape %d: %d metrics, want 1", i, len(result.data.metrics))
		}
	}
}

func TestReportStateScrapeGivingUpKeepsFetch(t *testing.T) {
	r := newBlockingReport()
	st := newReportState(r, 0)
	target, now := testTarget(), time.Unix(1_000_000, 0)

	long := make(chan reportResult)
	go func() { long <- st.get(context.Background(), target, now) }()
	fetchCtx := <-r.ctxs

	short, cancel := context.WithCancel(context.Background())
	shortResult := make(chan reportResult)
	go func() { shortResult <- st.get(short, target, now) }()
	waitFor(t, "two waiting scrapes", func() bool { return st.waiters() == 2 })
	cancel()
	gaveUp := <-shortResult

	if gaveUp.err == nil || !strings.Contains(gaveUp.err.Error(), "not finished within the scrape timeout") {
		t.Errorf("scrape that gave up: err = %v, want a timeout error", gaveUp.err)
	}
	if fetchCtx.Err() != nil {
		t.Errorf("the shared fetch ended with the first scrape: %v", fetchCtx.Err())
	}
	close(r.release)
	if result := <-long; result.err != nil {
		t.Errorf("scrape that waited: %v", result.err)
	}
}

func TestReportStateLastScrapeLeavingCancelsFetch(t *testing.T) {
	r := newBlockingReport()
	st := newReportState(r, 0)
	ctx, cancel := context.WithCancel(context.Background())

	done := make(chan reportResult)
	go func() { done <- st.get(ctx, testTarget(), time.Unix(1_000_000, 0)) }()
	fetchCtx := <-r.ctxs
	cancel()
	<-done

	select {
	case <-fetchCtx.Done():
	case <-time.After(time.Second):
		t.Fatal("the fetch went on after its only scrape left")
	}
}

func TestReportStateDeadlineIsLatestScrape(t *testing.T) {
	r := newBlockingReport()
	st := newReportState(r, 0)
	target, now := testTarget(), time.Unix(1_000_000, 0)
	early := time.Now().Add(time.Minute)
	late := early.Add(time.Minute)

	var wg sync.WaitGroup
	for _, deadline := range []time.Time{early, late} {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		wg.Go(func() { st.get(ctx, target, now) })
		waitFor(t, "the scrape to join", func() bool { return st.waiters() >= 1 })
	}
	fetchCtx := <-r.ctxs
	waitFor(t, "two waiting scrapes", func() bool { return st.waiters() == 2 })

	got, ok := fetchCtx.Deadline()
	if !ok || !got.Equal(late) {
		t.Errorf("fetch deadline = %v, %v; want %v, the later scrape's", got, ok, late)
	}
	close(r.release)
	wg.Wait()
}

func TestReportStateCache(t *testing.T) {
	tests := []struct {
		name        string
		minInterval time.Duration
		after       time.Duration
		wantFetches int64
		wantAge     time.Duration
	}{
		{"within min_interval", 5 * time.Minute, time.Minute, 1, time.Minute},
		{"after min_interval", 5 * time.Minute, 5 * time.Minute, 2, 0},
		{"no min_interval", 0, time.Second, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newBlockingReport()
			close(r.release)
			st := newReportState(r, tt.minInterval)
			target, first := testTarget(), time.Unix(1_000_000, 0)

			if result := st.get(context.Background(), target, first); result.err != nil {
				t.Fatal(result.err)
			}
			result := st.get(context.Background(), target, first.Add(tt.after))

			if result.err != nil {
				t.Fatal(result.err)
			}
			if got := r.fetches.Load(); got != tt.wantFetches {
				t.Errorf("fetches = %d, want %d", got, tt.wantFetches)
			}
			if result.age != tt.wantAge {
				t.Errorf("age = %s, want %s", result.age, tt.wantAge)
			}
			if !result.answered {
				t.Error("answered = false, want the answered flag of the fetch served")
			}
		})
	}
}

func TestReportStateFailureNotCached(t *testing.T) {
	r := newBlockingReport()
	close(r.release)
	r.err = errors.New("HTTP 500")
	st := newReportState(r, time.Hour)
	target, now := testTarget(), time.Unix(1_000_000, 0)

	for i := 0; i < 2; i++ {
		if result := st.get(context.Background(), target, now.Add(time.Duration(i)*time.Second)); result.err == nil {
			t.Errorf("scrape %d: err = nil, want the fetch's error", i)
		}
	}
	if got := r.fetches.Load(); got != 2 {
		t.Errorf("fetches = %d, want 2: a failed fetch must not be served again", got)
	}
}

type panickingReport struct{}

func (panickingReport) name() string { return "panicking" }

func (panickingReport) fetch(*scrape) (*reportData, error) { panic("index out of range") }

func TestReportStatePanicFailsReport(t *testing.T) {
	st := newReportState(panickingReport{}, 0)

	result := st.get(context.Background(), testTarget(), time.Unix(1_000_000, 0))

	if result.err == nil || !strings.Contains(result.err.Error(), "index out of range") {
		t.Errorf("err = %v, want the panic as an error", result.err)
	}
}
