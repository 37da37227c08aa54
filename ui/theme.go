package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/causerie/causerie/ui/transcript"
)

// appTheme is the app's theme: the base theme, plus literal colours for
// rich text. Fyne's RichText colours text only by theme colour name, so a
// sender's colour (XHTML-IM's CSS color) travels as the name
// "causerie.rgb:#rrggbb" and is resolved here, adjusted for contrast with
// the background of the current variant: a sender cannot make text
// invisible (dark blue on the dark theme is lightened).
//
// It also applies the preferences: a light or dark variant instead of
// the system's, and a font scale.
type appTheme struct {
	fyne.Theme
	// variant forces light or dark; nil follows the system.
	variant *fyne.ThemeVariant
	// scale multiplies text sizes (1 = as the system says).
	scale float32
}

func (t appTheme) pick(v fyne.ThemeVariant) fyne.ThemeVariant {
	if t.variant != nil {
		return *t.variant
	}
	return v
}

// Size scales the text sizes.
func (t appTheme) Size(n fyne.ThemeSizeName) float32 {
	sz := t.Theme.Size(n)
	switch n {
	case "text", "headingText", "subHeadingText", "captionText", "inputBorder":
		if n != "inputBorder" && t.scale > 0 {
			return sz * t.scale
		}
	}
	return sz
}

// Color resolves literal colours, and the rest through the base theme.
func (t appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	v = t.pick(v)
	if s, ok := strings.CutPrefix(string(n), transcript.RGBColorPrefix); ok {
		var r, g, b uint8
		if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err == nil {
			return readable(color.NRGBA{r, g, b, 0xff}, t.Theme.Color("background", v), t.Theme.Color("foreground", v))
		}
		return t.Theme.Color("foreground", v)
	}
	return t.Theme.Color(n, v)
}

// luminance is the WCAG relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// minContrast is WCAG's ratio for large text: enough to read, while
// keeping the sender's hue.
const minContrast = 3

// readable moves c towards fg until it stands out from bg.
func readable(c color.NRGBA, bg, fg color.Color) color.Color {
	if contrast(c, bg) >= minContrast {
		return c
	}
	fr, fgG, fb, _ := fg.RGBA()
	target := color.NRGBA{uint8(fr >> 8), uint8(fgG >> 8), uint8(fb >> 8), 0xff}
	for step := 1; step <= 10; step++ {
		f := float64(step) / 10
		mix := color.NRGBA{
			R: uint8(float64(c.R)*(1-f) + float64(target.R)*f),
			G: uint8(float64(c.G)*(1-f) + float64(target.G)*f),
			B: uint8(float64(c.B)*(1-f) + float64(target.B)*f),
			A: 0xff,
		}
		if contrast(mix, bg) >= minContrast {
			return mix
		}
	}
	return target
}
