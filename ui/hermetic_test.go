package ui

import (
	"embed"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The ui tests must give the same result on any machine: what they render
// and the texts they look for may not depend on the fonts, language or
// time of day of the machine they run on.
//
// Language: Fyne picks its language (its own texts: OK, Cancel, Yes...)
// from $LANGUAGE, $LC_ALL, $LC_MESSAGES and $LANG when the package is
// initialised, before TestMain; on a French desktop its buttons said
// "Annuler" and TestLoginSignsInToProsody, looking for "Cancel", failed.
// hermeticLocale sets an English locale and has Fyne pick again
// (useFrench switches to French for one test).
//
// Fonts: Fyne draws a character its bundled fonts lack (✓ in "✓✓ on
// server", the ▍ of a quote, ✎, →) with a font found on the system: the
// one the locale prefers if it has the character, else the first that
// does. Which one that is depends on what the machine holds (DejaVu here,
// another font or none elsewhere), and TestChatGolden's and
// TestChatRichGolden's golden images and markup changed with it (they
// failed with /usr/share/fonts empty). Tests therefore run with
// hermeticTheme, which puts these characters first, from a subset of
// DejaVu Sans in testdata/fonts (made by make-symbols.py); every other
// character still comes from Fyne's bundled fonts, and a font of the
// system is only used for characters none of these has. (The symbol fonts
// have Noto Sans's metrics and space, so text measures as before; a run
// of spaces alone now takes their space, drawn a fraction of a pixel
// apart from the text after it: the goldens were made with them.)
//
// Time: fixtures are in the past at any hour and in any time zone (see
// transcriptMessages). HOME and the XDG directories: make test runs the
// tests under .ci/with-desktop.sh, which gives them a fresh, empty HOME,
// an English locale and the system's default XDG data and config dirs.

// hermeticLocale makes the process's locale English and has Fyne choose its
// language from it again. Called from TestMain, before any window exists.
func hermeticLocale() {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "LC_") {
			os.Unsetenv(name)
		}
	}
	os.Setenv("LANG", "C.UTF-8") // present on every Debian; no locale to install
	os.Setenv("LANGUAGE", "en")  // what Fyne reads when LANG is not plain C
	// Adding catalogues makes Fyne read the environment again; the app
	// adds these at start too (main.go).
	if err := LoadTranslations(); err != nil {
		panic("LoadTranslations: " + err.Error())
	}
}

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

// hermeticTheme is the test theme with the symbol fonts of testdata/fonts
// as the first font of each proportional style (Fyne falls back to its
// bundled font of the style for the characters they lack). Monospace
// (Fyne's DejaVu Sans Mono has these characters) and the symbol font stay
// as they are.
type hermeticTheme struct{ fyne.Theme }

func (t hermeticTheme) Font(s fyne.TextStyle) fyne.Resource {
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

// newTestApp is test.NewTempApp with hermeticTheme.
func newTestApp(tb testing.TB) fyne.App {
	a := test.NewTempApp(tb)
	a.Settings().SetTheme(hermeticTheme{a.Settings().Theme()})
	return a
}
