package collector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
)

// scrape is the state one scrape of a target shares between its reports.
type scrape struct {
	ctx    context.Context
	target *Target
	client *threecx.Client
	// now is the scrape's time, the end of every window.
	now time.Time
	// answered is set once the API answered any request with a valid token.
	answered atomic.Bool
}

// forEach runs call(i) for i in [0, n) concurrently, each while holding one of the
// target's request slots, and returns the errors of the calls that failed, joined in
// order of i. It stops starting calls when the scrape's context ends.
func (s *scrape) forEach(n int, call func(ctx context.Context, i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup

	for i := 0; i < n; i++ {
		if err := s.acquire(); err != nil {
			errs[i] = fmt.Errorf("%d of %d requests not started: %w", n-i, n, err)
			break
		}
		wg.Go(func() {
			defer s.release()
			err := call(s.ctx, i)
			if threecx.IsAnswered(err) {
				s.answered.Store(true)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *scrape) acquire() error {
	select {
	case s.target.slots <- struct{}{}:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

func (s *scrape) release() {
	<-s.target.slots
}
