package uitest

import (
	"os"
	"strings"
)

// Hermetic makes the process's locale English and has Fyne choose its
// language from it again: load adds the app's catalogues (ui's
// LoadTranslations), which makes Fyne read the environment again. Call it
// from TestMain, before any window exists.
func Hermetic(load func() error) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "LC_") {
			os.Unsetenv(name)
		}
	}
	os.Setenv("LANG", "C.UTF-8") // present on every Debian; no locale to install
	os.Setenv("LANGUAGE", "en")  // what Fyne reads when LANG is not plain C
	if err := load(); err != nil {
		panic("loading the translations: " + err.Error())
	}
}
