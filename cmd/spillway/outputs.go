package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// maxUntil is the bound of --until: a trace's own bound on times.
const maxUntil = trace.MaxSeconds * time.Second

// checkUntil refuses an --until out of 0..maxUntil.
func checkUntil(d time.Duration) error {
	if d < 0 || d > maxUntil {
		return fmt.Errorf("--until %s: want 0..%s (31 days, the bound of a trace's times)", d, maxUntil)
	}
	return nil
}

// prepareTrace makes --trace ready for commands that read it more than
// once (whatif, plan, tune): a regular file is used in place (and read
// through once to check it when check is set: every line is valid before
// any simulation starts); anything else (a pipe, /dev/stdin) is read once,
// checked, into a temporary file that cleanup removes. Errors name path.
func prepareTrace(ctx context.Context, path string, check bool) (use string, cleanup func(), err error) {
	none := func() {}
	st, err := os.Stat(path)
	if err != nil {
		return "", none, fmt.Errorf("--trace: %w", err)
	}
	if st.IsDir() {
		return "", none, fmt.Errorf("--trace %s: is a directory", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", none, fmt.Errorf("--trace: %w", err)
	}
	defer f.Close()
	if st.Mode().IsRegular() {
		if check {
			if err := checkTrace(ctx, f, path, io.Discard); err != nil {
				return "", none, err
			}
		}
		return path, none, nil
	}
	dir, err := os.MkdirTemp("", "spillway-trace-")
	if err != nil {
		return "", none, fmt.Errorf("--trace %s is not a regular file, and a temporary copy cannot be made: %w", path, err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	tmp, err := os.Create(filepath.Join(dir, filepath.Base(path)+".jsonl"))
	if err == nil {
		err = checkTrace(ctx, f, path, tmp)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		cleanup()
		return "", none, err
	}
	return tmp.Name(), cleanup, nil
}

// checkTrace reads a whole trace (errors name its file and line), copying
// what it reads to copyTo.
func checkTrace(ctx context.Context, r io.Reader, name string, copyTo io.Writer) error {
	tr := trace.NewReader(io.TeeReader(r, copyTo), name)
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		_, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ctxWriter fails writes once ctx is done, so that a converter writing
// through it stops at a signal.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
