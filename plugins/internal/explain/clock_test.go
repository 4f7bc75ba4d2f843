package explain

import "time"

// frozenClock never advances: no token comes back.
type frozenClock struct{}

func (frozenClock) Now() time.Time                  { return time.Unix(1e9, 0) }
func (frozenClock) Since(t time.Time) time.Duration { return 0 }
func (frozenClock) Sleep(time.Duration)             {}
