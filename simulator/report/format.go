package report

import (
	"fmt"
	"math"
	"strings"
)

// pctChange is v relative to base, signed, e.g. "+12.5%".
func pctChange(v, base float64) string {
	if base == 0 {
		if v == 0 {
			return "+0.0%"
		}
		return "n/a"
	}
	p := 100 * (v - base) / base
	if math.Round(p*10) == 0 {
		p = 0 // no "-0.0%"
	}
	return fmt.Sprintf("%+.1f%%", p)
}

// fmtUSD formats like $1,234.56 (or -$1,234.56).
func fmtUSD(v float64) string {
	cents := int64(math.Round(v * 100))
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%s.%02d", sign, groupDigits(cents/100), cents%100)
}

func fmtInt(n int64) string {
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	return groupDigits(n)
}

func groupDigits(n int64) string {
	s := fmt.Sprintf("%d", n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtSec(v float64) string { return fixed1(v) }
func fmtPct(v float64) string { return fixed1(v) + "%" }

// fixed1 formats with one decimal, never "-0.0".
func fixed1(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if math.Round(v*10) == 0 {
		v = 0
	}
	return fmt.Sprintf("%.1f", v)
}

// fmtClock formats seconds from the start as h:mm.
func fmtClock(s float64) string {
	m := int64(math.Round(s / 60))
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}
