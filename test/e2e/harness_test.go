// Package e2e runs the built spillway-scheduler binary against a real
// kube-apiserver (embedded etcd and kube-apiserver in this test process, on
// loopback; no Docker, no kubelet, no controller-manager).
//
// TestMain builds cmd/spillway-scheduler once and starts one API server for
// the package. The logs of the API server and of each scheduler process go to
// files and are shown (their tail) only when a test fails.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/klog/v2"
)

// env is what TestMain sets up for every test.
type env struct {
	// root is the module root (where go.mod is).
	root string
	// bin is the built spillway-scheduler.
	bin string
	// api is the shared kube-apiserver.
	api *apiServer
	// log is the file that the in-process servers log to.
	log string
}

var (
	shared   *env
	setupErr error
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if testing.Short() {
		return m.Run() // every test skips itself
	}
	dir, err := os.MkdirTemp("", "spillway-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ptb, err := newPackageTB(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ptb.close()
	quietKlog(ptb.out)

	shared, setupErr = setUp(ptb, dir)
	code := m.Run()
	printResults(os.Stdout)
	ptb.runCleanups()
	if errs := ptb.errors(); len(errs) > 0 {
		// Reported by the servers outside any test (etcd stopping badly, ...).
		fmt.Fprintf(os.Stderr, "the in-process servers reported errors:\n%s\n", strings.Join(errs, "\n"))
		if code == 0 {
			code = 1
		}
	}
	return code
}

// setUp builds the scheduler and starts the API server. An error fails every
// test that needs them, with the error.
func setUp(ptb *packageTB, dir string) (e *env, err error) {
	root, err := findModuleRoot()
	if err != nil {
		return nil, err
	}
	e = &env{root: root, bin: filepath.Join(dir, "spillway-scheduler"), log: ptb.file}
	start := time.Now()
	// The flags of a plain `go build`, so that the build cache is shared
	// with other builds of the binary.
	build := exec.Command("go", "build", "-o", e.bin, "./cmd/spillway-scheduler")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/spillway-scheduler: %v\n%s", err, out)
	}
	ptb.Logf("built spillway-scheduler in %v", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	if e.api, err = startAPIServer(ptb); err != nil {
		return nil, err
	}
	ptb.Logf("kube-apiserver healthy in %v", time.Since(start).Round(time.Millisecond))
	return e, nil
}

// setup returns the shared environment, or skips or fails the test when it
// is not there.
func setup(t testing.TB) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the scheduler and starts a kube-apiserver")
	}
	if setupErr != nil {
		t.Fatalf("setting up the end-to-end environment: %v", setupErr)
	}
	return shared
}

// apiServer returns the shared API server; if the test fails, the tail of
// the servers' log is shown.
func (e *env) apiServer(t testing.TB) *apiServer {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			showTail(t, "the in-process kube-apiserver and etcd", e.log, 40)
		}
	})
	return e.api
}

func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// quietKlog sends klog (the in-process API server logs through it) to w and
// nothing to stderr, whatever the severity.
func quietKlog(w io.Writer) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	for name, value := range map[string]string{
		"logtostderr": "false", "alsologtostderr": "false", "stderrthreshold": "FATAL", "one_output": "true", "v": "2",
	} {
		if err := fs.Set(name, value); err != nil {
			panic(err)
		}
	}
	klog.SetOutput(w)
}

// showTail logs the last n lines of a log file.
func showTail(t testing.TB, what, file string, n int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Logf("reading the log of %s: %v", what, err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	t.Logf("last %d lines of the log of %s (%s):\n%s", len(lines), what, file, strings.Join(lines, "\n"))
}

// packageTB is the testing.TB of what lives as long as the package's tests:
// etcd and kube-apiserver, whose starters want a TB. It logs to a file and
// runs its cleanups (last first) when TestMain ends.
type packageTB struct {
	// testing.TB is nil: it only provides the interface's unexported
	// method. Calling a method not defined below panics.
	testing.TB
	dir  string
	file string
	out  *syncWriter

	mu       sync.Mutex
	cleanups []func()
	errs     []string
	tmp      int
	ctx      context.Context
	cancel   context.CancelFunc
}

// errFatal is panicked by packageTB.FailNow: fatal errors of the servers'
// setup are recovered by startAPIServer.
type errFatal struct{ msg string }

func newPackageTB(dir string) (*packageTB, error) {
	file := filepath.Join(dir, "servers.log")
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	p := &packageTB{dir: dir, file: file, out: &syncWriter{w: f}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

func (p *packageTB) close() { p.out.close() }

func (p *packageTB) runCleanups() {
	p.cancel()
	for {
		p.mu.Lock()
		if len(p.cleanups) == 0 {
			p.mu.Unlock()
			return
		}
		f := p.cleanups[len(p.cleanups)-1]
		p.cleanups = p.cleanups[:len(p.cleanups)-1]
		p.mu.Unlock()
		f()
	}
}

func (p *packageTB) errors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

func (p *packageTB) Cleanup(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanups = append(p.cleanups, f)
}

func (p *packageTB) Log(args ...any) { p.write(fmt.Sprintln(args...)) }
func (p *packageTB) Logf(format string, args ...any) {
	p.write(fmt.Sprintf(format, args...) + "\n")
}

func (p *packageTB) write(s string) {
	_, file, line, _ := runtime.Caller(2)
	_, _ = fmt.Fprintf(p.out, "%s:%d: %s", filepath.Base(file), line, s)
}

func (p *packageTB) Error(args ...any) { p.fail(fmt.Sprint(args...)) }
func (p *packageTB) Errorf(format string, args ...any) {
	p.fail(fmt.Sprintf(format, args...))
}
func (p *packageTB) Fatal(args ...any) { p.fail(fmt.Sprint(args...)); p.FailNow() }
func (p *packageTB) Fatalf(format string, args ...any) {
	p.fail(fmt.Sprintf(format, args...))
	p.FailNow()
}

func (p *packageTB) fail(msg string) {
	p.write("ERROR: " + msg + "\n")
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, msg)
}

func (p *packageTB) Fail() { p.fail("failed") }
func (p *packageTB) FailNow() {
	errs := p.errors()
	msg := "failed"
	if len(errs) > 0 {
		msg = errs[len(errs)-1]
	}
	panic(errFatal{msg})
}

func (p *packageTB) Failed() bool { return len(p.errors()) > 0 }
func (p *packageTB) Helper()      {}
func (p *packageTB) Name() string { return "TestMain" }
func (p *packageTB) Setenv(key, value string) {
	if err := os.Setenv(key, value); err != nil {
		p.Fatal(err)
	}
}
func (p *packageTB) Skip(args ...any)                 { p.Fatal(append([]any{"skip: "}, args...)...) }
func (p *packageTB) SkipNow()                         { p.Fatal("skip") }
func (p *packageTB) Skipf(format string, args ...any) { p.Fatalf("skip: "+format, args...) }
func (p *packageTB) Skipped() bool                    { return false }
func (p *packageTB) Context() context.Context         { return p.ctx }

func (p *packageTB) TempDir() string {
	p.mu.Lock()
	p.tmp++
	dir := filepath.Join(p.dir, fmt.Sprintf("tmp%03d", p.tmp))
	p.mu.Unlock()
	if err := os.Mkdir(dir, 0o700); err != nil {
		p.Fatal(err)
	}
	return dir
}

// syncWriter serialises writes and drops those after close (servers' goroutines
// may still log while they stop).
type syncWriter struct {
	mu     sync.Mutex
	w      *os.File
	closed bool
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return len(b), nil
	}
	return s.w.Write(b)
}

func (s *syncWriter) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	_ = s.w.Close()
}

// runBinary runs the scheduler binary to completion and returns its combined
// output and exit error.
func runBinary(ctx context.Context, bin string, args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
