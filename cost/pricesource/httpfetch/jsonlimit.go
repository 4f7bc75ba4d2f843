package httpfetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxJSONValueBytes bounds what a streaming decoder of
// NewJSONDecoder holds at once: one product, term, page item or sample
// of a price list or Prometheus answer is a few KB.
const DefaultMaxJSONValueBytes = 1 << 20

// ErrValueTooLarge is wrapped by the error of a JSON value (or string)
// larger than a streaming decoder may hold.
var ErrValueTooLarge = errors.New("a single JSON value is larger than the decoder may hold")

// NewJSONDecoder returns a json.Decoder on r whose buffer never holds
// more than maxHeld bytes that it has not consumed: a parser that walks a
// document with Token and decodes one element at a time then needs memory
// for one element, whatever the size of the document; an element (or a
// string, or a document decoded whole) above maxHeld is an error wrapping
// ErrValueTooLarge instead of a buffer as large as the response.
func NewJSONDecoder(r io.Reader, maxHeld int64) *json.Decoder {
	l := &heldLimit{r: r, max: maxHeld}
	l.dec = json.NewDecoder(l)
	return l.dec
}

// heldLimit reads for dec and refuses to let dec hold more than max bytes
// not yet consumed: dec calls Read only when it needs more input, after
// moving what it consumed out of its buffer, so the bytes read less the
// decoder's offset are what its buffer holds.
type heldLimit struct {
	r    io.Reader
	dec  *json.Decoder
	max  int64
	read int64
}

func (l *heldLimit) Read(p []byte) (int, error) {
	room := l.max - (l.read - l.dec.InputOffset())
	if room <= 0 {
		return 0, fmt.Errorf("%w (%d bytes)", ErrValueTooLarge, l.max)
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}
