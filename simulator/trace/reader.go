package trace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	kjson "sigs.k8s.io/json"
)

// MaxLineBytes is the longest line Reader accepts (a pod manifest with
// many containers is a few KiB; this leaves room and bounds memory).
const MaxLineBytes = 4 << 20

// Reader reads a trace one event at a time.
type Reader struct {
	source string
	sc     *bufio.Scanner
	line   int
	lastAt float64
	bytes  int64
}

// NewReader reads the trace in r; source (a file name) prefixes errors.
func NewReader(r io.Reader, source string) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &Reader{source: source, sc: sc}
}

// Error is a problem at one line of a trace.
type Error struct {
	Source string
	Line   int
	Err    error
}

// Error returns "source:line: message".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %v", e.Source, e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Next returns the next event, io.EOF at the end of the trace, or an
// *Error naming the line. Blank lines and lines starting with '#' are
// skipped.
func (r *Reader) Next() (Event, error) {
	for r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		r.bytes += int64(len(b)) + 1
		b = bytes.TrimSpace(b)
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		var ev Event
		strict, err := kjson.UnmarshalStrict(b, &ev)
		if err != nil {
			return Event{}, r.errorf("%w", err)
		}
		if len(strict) > 0 {
			return Event{}, r.errorf("%w", errors.Join(strict...))
		}
		if err := ev.Validate(); err != nil {
			return Event{}, r.errorf("%w", err)
		}
		if ev.At < r.lastAt {
			return Event{}, r.errorf("at: %v is before the previous event's %v; times must not decrease", ev.At, r.lastAt)
		}
		r.lastAt = ev.At
		return ev, nil
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Event{}, r.errorf("line longer than %d bytes", MaxLineBytes)
		}
		return Event{}, r.errorf("%w", err)
	}
	return Event{}, io.EOF
}

// Line is the number of the line Next read last.
func (r *Reader) Line() int { return r.line }

// BytesRead is how many bytes of the trace Next has consumed, for
// progress reporting.
func (r *Reader) BytesRead() int64 { return r.bytes }

func (r *Reader) errorf(format string, args ...any) error {
	line := r.line
	if line == 0 {
		line = 1
	}
	return &Error{Source: r.source, Line: line, Err: fmt.Errorf(format, args...)}
}
