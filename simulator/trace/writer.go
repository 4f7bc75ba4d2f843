package trace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Writer writes events as JSON Lines. Call Flush when done.
type Writer struct {
	w      *bufio.Writer
	enc    *json.Encoder
	lastAt float64
	n      int
}

// NewWriter writes a trace to w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Write validates ev, checks its time does not go back, and writes it as
// one line.
func (w *Writer) Write(ev Event) error {
	w.n++
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("event %d: %w", w.n, err)
	}
	if ev.At < w.lastAt {
		return fmt.Errorf("event %d: at: %v is before the previous event's %v", w.n, ev.At, w.lastAt)
	}
	w.lastAt = ev.At
	return w.enc.Encode(&ev)
}

// Flush writes buffered events to the underlying writer.
func (w *Writer) Flush() error { return w.w.Flush() }
