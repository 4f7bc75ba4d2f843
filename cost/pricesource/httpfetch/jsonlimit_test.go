package httpfetch

import (
	"errors"
	"strings"
	"testing"
)

// TestNewJSONDecoder: elements decoded one at a time pass whatever the
// document's size; one element, or a string, above the limit is refused.
func TestNewJSONDecoder(t *testing.T) {
	many := "[" + strings.Repeat(`{"a":"0123456789"},`, 10_000) + `{"a":"x"}]` // ~190 KB
	tests := []struct {
		name    string
		doc     string
		wantErr bool
	}{
		{"many small elements", many, false},
		{"one large element", `[{"a":"` + strings.Repeat("x", 10_000) + `"}]`, true},
		{"a large key", `[{"` + strings.Repeat("k", 10_000) + `":1}]`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := NewJSONDecoder(strings.NewReader(tt.doc), 4096)
			var err error
			n := 0
			if _, err = dec.Token(); err == nil {
				for dec.More() {
					var v map[string]string
					if err = dec.Decode(&v); err != nil {
						break
					}
					n++
				}
			}
			if tt.wantErr != (err != nil) || (err != nil && !errors.Is(err, ErrValueTooLarge)) {
				t.Fatalf("after %d elements: err = %v; want ErrValueTooLarge: %v", n, err, tt.wantErr)
			}
			if !tt.wantErr && n != 10_001 {
				t.Errorf("decoded %d elements; want 10001", n)
			}
		})
	}
}
