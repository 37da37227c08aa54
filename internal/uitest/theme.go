package uitest

import (
	"embed"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

//go:embed testdata/fonts/symbols-*.ttf
var symbolFonts embed.FS

func symbolFont(name string) fyne.Resource {
	b, err := symbolFonts.ReadFile("testdata/fonts/" + name)
	if err != nil {
		panic(err)
	}
	return fyne.NewStaticResource(name, b)
}

var (
	symbolsRegular    = symbolFont("symbols-regular.ttf")
	symbolsBold       = symbolFont("symbols-bold.ttf")
	symbolsItalic     = symbolFont("symbols-italic.ttf")
	symbolsBoldItalic = symbolFont("symbols-bolditalic.ttf")
)

// Theme is the test theme with the symbol fonts of testdata/fonts as the
// first font of each proportional style (Fyne falls back to its bundled
// font of the style for the characters they lack). Monospace (Fyne's
// DejaVu Sans Mono has these characters) and the symbol font stay as
// they are.
type Theme struct{ fyne.Theme }

// Font is the symbol font of the style, or the base theme's.
func (t Theme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return t.Theme.Font(s)
	case s.Bold && s.Italic:
		return symbolsBoldItalic
	case s.Bold:
		return symbolsBold
	case s.Italic:
		return symbolsItalic
	}
	return symbolsRegular
}

// NewApp is test.NewTempApp with Theme.
func NewApp(tb testing.TB) fyne.App {
	a := test.NewTempApp(tb)
	a.Settings().SetTheme(Theme{a.Settings().Theme()})
	return a
}
