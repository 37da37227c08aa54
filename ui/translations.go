package ui

import (
	"embed"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/jeandeaual/go-locale"

	"github.com/causerie/causerie/core"
)

// translations holds one catalogue per language, named after it (en.json,
// fr.json): a flat JSON object from the English text given to lang.L to
// the text to show. translations_test.go keeps them complete.
//
//go:embed translations
var translations embed.FS

// LoadTranslations registers the catalogue of the language Fyne will show
// with Fyne. Call it once before building any window: lang.L looks texts
// up when a widget is made, so a window built before keeps its English
// texts.
//
// Fyne (2.7) picks the language closest to the system's: on Linux and the
// BSDs from $LANGUAGE, $LC_ALL, $LC_MESSAGES and $LANG (LANGUAGE=fr or
// LC_ALL=fr_FR.UTF-8 forces French); on Windows and macOS from the
// system's language settings only. Fyne has no call to choose another
// language from a preference.
//
// Only one catalogue is parsed, the first of the system's languages we
// have one for, and an empty one for English, whose texts are the
// catalogue's keys: parsing all of them cost the start about 5 ms per
// language. Adding a catalogue also has Fyne read the environment again
// (see SetLanguageEnv).
func LoadTranslations() error {
	locales, err := locale.GetLocales()
	if err != nil || len(locales) == 0 {
		locales = []string{"en"}
	}
	for _, l := range locales {
		base, _, _ := strings.Cut(strings.ReplaceAll(l, "_", "-"), "-")
		base = strings.ToLower(base)
		if base == "en" {
			break
		}
		data, err := translations.ReadFile("translations/" + base + ".json")
		if err != nil {
			continue // none for this language: try the next
		}
		return lang.AddTranslationsForLocale(data, fyne.Locale(base))
	}
	return lang.AddTranslationsForLocale([]byte("{}"), "en")
}

// The helpers below turn values from a fixed set into texts through
// literal lang.L calls, so that the catalogue test sees every one of them.

// signupFieldLabel is the label of a plain XEP-0077 field: a translated
// one for the names the XEP defines, else what core gives (the field's
// own name, which cannot be translated).
func signupFieldLabel(f core.SignupField) string {
	switch f.Name {
	case "username":
		return lang.L("Username")
	case "nick":
		return lang.L("Nickname")
	case "password":
		return lang.L("Password")
	case "name":
		return lang.L("Full name")
	case "first":
		return lang.L("First name")
	case "last":
		return lang.L("Last name")
	case "email":
		return lang.L("Email")
	case "address":
		return lang.L("Street address")
	case "city":
		return lang.L("City")
	case "state":
		return lang.L("State or region")
	case "zip":
		return lang.L("Postal code")
	case "phone":
		return lang.L("Phone")
	case "url":
		return lang.L("Web site")
	case "date":
		return lang.L("Date")
	case "misc":
		return lang.L("Other information")
	case "text":
		return lang.L("Text")
	}
	return f.Label
}
