package threecx_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine outlives them, such as a retry wait
// that its context did not end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
