package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/causerie/causerie/ui/transcript"
)

func TestThemeKeepsSenderColoursReadable(t *testing.T) {
	th := appTheme{Theme: theme.DefaultTheme()}
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		bg := th.Color(theme.ColorNameBackground, v)
		for _, c := range []color.NRGBA{{0, 0, 0x80, 0xff}, {0xff, 0xff, 0xff, 0xff}, {0x20, 0x20, 0x20, 0xff}, {0xcc, 0, 0, 0xff}} {
			got := th.Color(transcript.ColorName(c), v)
			if contrast(got, bg) < minContrast-0.01 {
				t.Errorf("variant %d: %v became %v, contrast %.2f", v, c, got, contrast(got, bg))
			}
		}
	}
	// A colour already readable is kept as sent.
	red := color.NRGBA{0xff, 0x40, 0x40, 0xff}
	if got := th.Color(transcript.ColorName(red), theme.VariantDark); got != color.Color(red) {
		t.Errorf("readable colour changed: %v", got)
	}
}
