package transcript

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
)

// RGBColorPrefix starts the theme colour names that carry a literal
// colour: Fyne's RichText colours text only by theme colour name, so a
// sender's colour (XHTML-IM's CSS color) travels as the name
// "causerie.rgb:#rrggbb", for the app's theme to resolve (readable on its
// background).
const RGBColorPrefix = "causerie.rgb:"

// ColorName is the theme colour name of a literal colour.
func ColorName(c color.Color) fyne.ThemeColorName {
	r, g, b, _ := c.RGBA()
	return fyne.ThemeColorName(fmt.Sprintf("%s#%02x%02x%02x", RGBColorPrefix, r>>8, g>>8, b>>8))
}
