package collector

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// reportState is the shared fetch and the cache of one report of a target. Scrapes that
// arrive while the report is being fetched, such as those of two Prometheus replicas, wait
// for that fetch instead of starting their own. With a min_interval, a scrape within that
// time of the last successful fetch gets that fetch's data.
//
// golang.org/x/sync/singleflight does not fit, because the shared call runs on the first
// caller's context: a first scrape that gives up at its deadline would end the fetch for
// a later scrape that still has time left. Here the fetch has a context of its own that
// ends when the last waiting scrape leaves.
type reportState struct {
	report      report
	minInterval time.Duration

	mu sync.Mutex
	// flight is the fetch in progress, or nil.
	flight *flight
	// last is the last successful fetch, or nil.
	last *fetchResult
}

func newReportState(r report, minInterval time.Duration) *reportState {
	return &reportState{report: r, minInterval: minInterval}
}

// fetchResult is the outcome of one fetch of a report.
type fetchResult struct {
	data *reportData
	err  error
	// answered is set when the API answered any request of the fetch with a valid token.
	answered bool
	// at is the scrape time the fetch ran for, the end of its windows.
	at time.Time
}

// flight is one fetch in progress and the scrapes that wait for it.
type flight struct {
	ctx     *flightContext
	cancel  context.CancelFunc
	waiters int
	// done is closed once result is set.
	done   chan struct{}
	result fetchResult
}

// get returns the report's data for a scrape at now: from the cache, from a fetch already
// in progress, or from a new fetch. It returns when the data is there or when ctx ends,
// whichever comes first.
func (st *reportState) get(ctx context.Context, t *Target, now time.Time) reportResult {
	start := time.Now()

	st.mu.Lock()
	if last := st.last; last != nil && st.minInterval > 0 && now.Sub(last.at) < st.minInterval {
		st.mu.Unlock()
		return reportResult{data: last.data, answered: last.answered, served: true, age: now.Sub(last.at)}
	}
	f := st.flight
	if f == nil {
		f = st.start(t, now)
	}
	f.waiters++
	f.ctx.extend(ctx)
	st.mu.Unlock()
	defer st.leave(f)

	select {
	case <-f.done:
		r := f.result
		return reportResult{
			data:     r.data,
			err:      r.err,
			duration: time.Since(start),
			answered: r.answered,
			served:   true,
			age:      max(now.Sub(r.at), 0),
		}
	case <-ctx.Done():
		return reportResult{
			data:     &reportData{},
			err:      fmt.Errorf("not finished within the scrape timeout: %w", context.Cause(ctx)),
			duration: time.Since(start),
		}
	}
}

// start runs a new fetch. The caller holds st.mu.
func (st *reportState) start(t *Target, now time.Time) *flight {
	ctx, cancel := newFlightContext()
	f := &flight{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	st.flight = f

	go func() {
		defer cancel()
		result := st.run(ctx, t, now)

		st.mu.Lock()
		if st.flight == f {
			st.flight = nil
		}
		if result.err == nil && (st.last == nil || result.at.After(st.last.at)) {
			st.last = &result
		}
		st.mu.Unlock()

		f.result = result
		close(f.done)
	}()
	return f
}

// run fetches the report. A panic in the report's code fails the report rather than the
// exporter.
func (st *reportState) run(ctx context.Context, t *Target, now time.Time) (result fetchResult) {
	s := &scrape{ctx: ctx, target: t, client: t.client, now: now}
	defer func() {
		if p := recover(); p != nil {
			t.logger.Error("report panicked", "report", st.report.name(), "panic", p)
			result = fetchResult{data: &reportData{}, err: fmt.Errorf("internal error: %v", p), at: now}
		}
	}()

	data, err := st.report.fetch(s)
	if data == nil {
		data = &reportData{}
	}
	return fetchResult{data: data, err: err, answered: s.answered.Load(), at: now}
}

// leave ends a scrape's wait. When no scrape waits any more, the fetch is cancelled, and
// the next scrape starts a new one.
func (st *reportState) leave(f *flight) {
	st.mu.Lock()
	defer st.mu.Unlock()

	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if st.flight == f {
		st.flight = nil
	}
}

// flightContext is the context of a shared fetch. It is cancelled when the last scrape
// waiting for the fetch leaves, and its deadline is the latest deadline of those scrapes,
// so that the client retries only while some scrape can still use the answer.
type flightContext struct {
	context.Context

	mu         sync.Mutex
	deadline   time.Time
	noDeadline bool
	hasWaiters bool
}

func newFlightContext() (*flightContext, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	return &flightContext{Context: ctx}, cancel
}

// extend moves the deadline out to the deadline of a scrape that joins the fetch.
func (c *flightContext) extend(scrape context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()

	deadline, ok := scrape.Deadline()
	switch {
	case !ok:
		c.noDeadline = true
	case !c.hasWaiters || deadline.After(c.deadline):
		c.deadline = deadline
	}
	c.hasWaiters = true
}

// Deadline returns the latest deadline of the waiting scrapes, or false when one of them
// has none.
func (c *flightContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noDeadline || !c.hasWaiters {
		return time.Time{}, false
	}
	return c.deadline, true
}
