package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// exporterBinary builds the exporter once per test run and returns its path.
func exporterBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the built binary's tests in -short mode")
	}
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "threecx_exporter-test-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "threecx_exporter")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// freeAddress returns a loopback address with a port that was free a moment ago.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// exporterProcess is a running exporter binary.
type exporterProcess struct {
	cmd     *exec.Cmd
	address string
	logs    *lockedBuffer
	done    chan struct{}
}

// startExporter runs the binary with args plus --web.listen-address on a free port, and
// waits until it answers on /. It stops the process when the test ends.
func startExporter(t *testing.T, args ...string) *exporterProcess {
	t.Helper()
	p := &exporterProcess{address: freeAddress(t), logs: &lockedBuffer{}, done: make(chan struct{})}
	args = append(args, "--web.listen-address="+p.address)
	p.cmd = exec.Command(exporterBinary(t), args...)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.stop)

	if err := p.waitReady(15 * time.Second); err != nil {
		t.Fatalf("exporter did not start: %v\nlogs:\n%s", err, p.logs)
	}
	return p
}

func (p *exporterProcess) url(path string) string {
	return "http://" + p.address + path
}

func (p *exporterProcess) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.url("/"), nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("the process exited: %v", p.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("no answer within %s: %w", timeout, err)
		case <-ticker.C:
		}
	}
}

func (p *exporterProcess) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// lockedBuffer collects a process's output for the test to read while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(data)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// httpGet returns the status and body of a GET.
func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
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
