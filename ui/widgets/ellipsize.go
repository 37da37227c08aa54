package widgets

import "fyne.io/fyne/v2"

// Ellipsize shortens s with "…" to fit width, for text drawn with
// canvas.Text, which does not truncate.
func Ellipsize(s string, size float32, style fyne.TextStyle, width float32) string {
	if s == "" || fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(rs[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(rs[:lo]) + "…"
}
