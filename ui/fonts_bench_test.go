package ui

import (
	"image/color"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// BenchmarkTextFaces: the memory Fyne keeps for the faces of a text
// style once a text of that style is measured (issue 16). For each
// style, Fyne parses the theme's font, the emoji font it bundles and the
// system's font for the language, and keeps them. The first window
// loads regular and bold (a button's text is bold); MiB-emoji is what
// one parse of the bundled emoji font keeps, a share of each style's.
//
// The figures are the first round's, a start's: the system's faces (and
// its fonts' index) stay in Fyne's font map for the process, so the
// later rounds leave them out, and so must nothing measure text before
// it: run it alone or first (make bench runs no test, and it is the
// package's first benchmark), e.g. -run '^$' -bench TextFaces -benchtime 1x.
func BenchmarkTextFaces(b *testing.B) {
	var regular, bold, emoji float64
	first := true
	for b.Loop() {
		test.NewTempApp(b) // a new app starts with Fyne's font cache empty
		h0 := liveHeapMiB()
		fyne.MeasureText("Causerie", 14, fyne.TextStyle{})
		h1 := liveHeapMiB()
		fyne.MeasureText("Causerie", 14, fyne.TextStyle{Bold: true})
		h2 := liveHeapMiB()
		// A text with its own font source: Fyne parses that font alone.
		t := canvas.NewText("😀", color.Black)
		t.FontSource = theme.DefaultEmojiFont()
		t.MinSize()
		h3 := liveHeapMiB()
		if first {
			regular, bold, emoji = h1-h0, h2-h1, h3-h2
			first = false
		}
	}
	b.ReportMetric(regular, "MiB-regular")
	b.ReportMetric(bold, "MiB-bold")
	b.ReportMetric(emoji, "MiB-emoji")
}

// liveHeapMiB is the heap still reachable, in MiB.
func liveHeapMiB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
