package promhistory

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spillway-dev/spillway/internal/memtest"
)

// writeBigAnswer writes a matrix answer of series series of 1,000 samples
// each, on the same 1,000 timestamps, as it goes.
func writeBigAnswer(w io.Writer, series int) {
	bw := bufio.NewWriterSize(w, 64<<10)
	defer bw.Flush()
	fmt.Fprint(bw, `{"status":"success","data":{"resultType":"matrix","result":[`)
	for s := range series {
		if s > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"metric":{"__name__":"kube_deployment_status_replicas","namespace":"default","deployment":"web","instance":"ksm-%d"},"values":[`, s)
		for i := range 1000 {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `[%d,"%d"]`, 1_700_000_000+60*i, s%50)
		}
		bw.WriteString("]}")
	}
	bw.WriteString("]}}")
}

// TestQueryRangeMemoryBounded: a large answer (18 MB, a million samples)
// is decoded as it arrives: the heap grows by a few MB, not by the
// answer's size (the client read the body whole and then copied its data
// before: twice the answer at least). Measured: 4.2 MB for 36 MB.
func TestQueryRangeMemoryBounded(t *testing.T) {
	series := 1000
	if testing.Short() || raceEnabled {
		series = 200
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		cw := &countingWriter{w: w}
		writeBigAnswer(cw, series)
		served.Store(cw.n)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, 10*time.Minute, 1<<30, "")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	peak := memtest.PeakHeapDuring(func() {
		points, err := c.QueryRange(context.Background(), "x", at(0), at(1), time.Minute)
		if err != nil {
			t.Error(err)
		}
		n = len(points)
	})
	t.Logf("answer of %.1f MB: %d points, peak heap growth %.1f MB", float64(served.Load())/1e6, n, float64(peak)/1e6)
	if n != 1000 {
		t.Errorf("%d points; want 1000", n)
	}
	if limit := uint64(12 << 20); peak > limit || (series == 1000 && peak > uint64(served.Load())/2) {
		t.Errorf("peak heap growth %d bytes for a %d-byte answer; want at most %d and half the answer", peak, served.Load(), limit)
	}
}

// TestQueryRangeTooManyPoints: an answer with more than MaxPoints
// distinct timestamps is refused, not held.
func TestQueryRangeTooManyPoints(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		fmt.Fprint(bw, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[`)
		for i := range MaxPoints + 10 {
			if i > 0 {
				bw.WriteByte(',')
			}
			fmt.Fprintf(bw, `[%d,"1"]`, i)
		}
		bw.WriteString("]}]}}")
		pw.CloseWithError(bw.Flush())
	}()
	_, err := DecodeQueryRange(pr)
	pr.Close()
	if err == nil || !strings.Contains(err.Error(), "more than 50000 timestamps") {
		t.Fatalf("error = %v; want more than MaxPoints", err)
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
