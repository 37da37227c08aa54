// Package uitest is the test harness of the ui packages: a hermetic Fyne
// test app, a queue standing for fyne.Do, core clients over a temporary
// directory, real users signed in to a test server, and rich-text
// fixtures. It imports no ui package, so that the tests of ui and of
// every package under it can use it.
//
// The ui tests must give the same result on any machine: what they render
// and the texts they look for may not depend on the fonts, language or
// time of day of the machine they run on.
//
// Language: Fyne picks its language (its own texts: OK, Cancel, Yes...)
// from $LANGUAGE, $LC_ALL, $LC_MESSAGES and $LANG when the package is
// initialised, before TestMain; on a French desktop its buttons said
// "Annuler" and TestLoginSignsInToProsody, looking for "Cancel", failed.
// Hermetic sets an English locale and has Fyne pick again.
//
// Fonts: Fyne draws a character its bundled fonts lack (✓ in "✓✓ on
// server", the ▍ of a quote, ✎, →) with a font found on the system: the
// one the locale prefers if it has the character, else the first that
// does. Which one that is depends on what the machine holds (DejaVu here,
// another font or none elsewhere), and TestChatGolden's and
// TestChatRichGolden's golden images and markup changed with it (they
// failed with /usr/share/fonts empty). Tests therefore run with Theme,
// which puts these characters first, from a subset of DejaVu Sans in
// testdata/fonts (made by make-symbols.py); every other character still
// comes from Fyne's bundled fonts, and a font of the system is only used
// for characters none of these has. (The symbol fonts have Noto Sans's
// metrics and space, so text measures as before; a run of spaces alone
// now takes their space, drawn a fraction of a pixel apart from the text
// after it: the goldens were made with them.)
//
// Time: fixtures are in the past at any hour and in any time zone (see
// the transcript tests' messages). HOME and the XDG directories: make test
// runs the tests under .ci/with-desktop.sh, which gives them a fresh,
// empty HOME, an English locale and the system's default XDG data and
// config dirs.
package uitest
