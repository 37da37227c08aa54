package ui

import (
	"fmt"
	"os"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Preference keys (Fyne's per-app preferences file).
const (
	prefTheme      = "look.theme"     // "", "light", "dark"
	prefFontScale  = "look.fontScale" // 0.8 .. 1.6
	prefLanguage   = "language"       // "", "en", "fr": applies at the next start
	prefChatStates = "chat.sendStates"
	prefMarkers    = "chat.sendReadMarkers"
	prefHideOS     = "privacy.hideOS"
)

// LanguagePreference is the language chosen in the preferences ("" for
// the system's). Fyne 2.7 picks its language from the environment when
// the catalogues load, so main applies it (SetLanguageEnv) before
// LoadTranslations, at start.
func LanguagePreference(a fyne.App) string {
	return a.Preferences().StringWithFallback(prefLanguage, "")
}

// SetLanguageEnv makes Fyne choose language l ("en", "fr") on Linux and
// the BSDs, where it reads LANGUAGE and LC_ALL. Fyne 2.7 has no way to
// choose on Windows and macOS: the system language applies there.
func SetLanguageEnv(l string) {
	switch l {
	case "fr":
		os.Setenv("LANGUAGE", "fr")
		os.Setenv("LC_ALL", "fr_FR.UTF-8")
	case "en":
		os.Setenv("LANGUAGE", "en")
		os.Setenv("LC_ALL", "en_US.UTF-8")
	}
}

// applyPreferences applies the look and the core settings.
func (a *App) applyPreferences() {
	p := a.FyneApp.Preferences()
	t := appTheme{Theme: a.baseTheme, scale: float32(p.FloatWithFallback(prefFontScale, 1))}
	switch p.String(prefTheme) {
	case "light":
		v := theme.VariantLight
		t.variant = &v
	case "dark":
		v := theme.VariantDark
		t.variant = &v
	}
	a.FyneApp.Settings().SetTheme(t)
	a.Client.SetHideOS(p.BoolWithFallback(prefHideOS, false))
	a.Client.SetReadMarkers(p.BoolWithFallback(prefMarkers, true))
	on := p.BoolWithFallback(prefChatStates, true)
	for _, s := range a.Client.Sessions() {
		s.SetChatStatesEnabled(on)
	}
}

// preferencesWindow is the preferences: look (theme, text size),
// language, notifications and sound, the contact list, privacy (typing
// notifications, the OS in version answers). Changes apply at once,
// except the language (at the next start).
type preferencesWindow struct {
	app *App
	win fyne.Window

	theme, language *widget.Select
	scale           *widget.Slider
	scaleLabel      *widget.Label
	notify, sounds  *widget.Check
	notifyText      *widget.Check
	offline, status *widget.Check
	states, hideOS  *widget.Check
	markers         *widget.Check
	autoPictures    *widget.Select
	restart         *widget.Label
}

// ShowPreferences opens the preferences window.
func (a *App) ShowPreferences() {
	if a.prefs != nil {
		a.prefs.win.Show()
		a.prefs.win.RequestFocus()
		return
	}
	w := &preferencesWindow{app: a}
	w.win = a.FyneApp.NewWindow(lang.L("Preferences") + " — Causerie")
	w.build()
	w.win.SetOnClosed(func() { a.prefs = nil })
	w.win.Resize(fyne.NewSize(480, 560))
	a.prefs = w
	w.win.Show()
}

var (
	themeValues    = []string{"", "light", "dark"}
	languageValues = []string{"", "en", "fr"}
)

func (w *preferencesWindow) build() {
	p := w.app.FyneApp.Preferences()
	themeLabels := []string{lang.L("As the system"), lang.L("Light"), lang.L("Dark")}
	w.theme = widget.NewSelect(themeLabels, nil)
	w.theme.SetSelectedIndex(max(0, indexOf(themeValues, p.String(prefTheme))))
	w.theme.OnChanged = func(string) {
		p.SetString(prefTheme, themeValues[w.theme.SelectedIndex()])
		w.app.applyPreferences()
	}
	w.scale = widget.NewSlider(0.8, 1.6)
	w.scale.Step = 0.1
	w.scale.Value = p.FloatWithFallback(prefFontScale, 1)
	w.scaleLabel = widget.NewLabel("")
	w.showScale()
	w.scale.OnChangeEnded = func(v float64) {
		p.SetFloat(prefFontScale, v)
		w.showScale()
		w.app.applyPreferences()
	}
	langLabels := []string{lang.L("As the system"), "English", "Français"}
	w.language = widget.NewSelect(langLabels, nil)
	w.language.SetSelectedIndex(max(0, indexOf(languageValues, p.String(prefLanguage))))
	w.restart = widget.NewLabel(lang.L("The language changes the next time Causerie starts."))
	w.restart.Importance = widget.LowImportance
	w.restart.Wrapping = fyne.TextWrapWord
	w.restart.Hide()
	w.language.OnChanged = func(string) {
		p.SetString(prefLanguage, languageValues[w.language.SelectedIndex()])
		w.restart.Show()
	}
	check := func(text, key string, def bool, apply func(bool)) *widget.Check {
		c := widget.NewCheck(text, nil)
		c.SetChecked(p.BoolWithFallback(key, def))
		c.OnChanged = func(on bool) {
			p.SetBool(key, on)
			if apply != nil {
				apply(on)
			}
		}
		return c
	}
	w.notify = check(lang.L("Show a notification for new messages and requests"), prefNotify, true, nil)
	w.notifyText = check(lang.L("Show the message's text in notifications (off: only who sent it)"), prefNotifyText, true, nil)
	w.sounds = check(lang.L("Play a sound for new messages"), prefSounds, true, nil)
	w.offline = check(lang.L("Show offline contacts"), prefShowOffline, false, func(on bool) {
		if m := w.app.main; m != nil {
			m.setShowOffline(on)
		}
	})
	w.status = check(lang.L("Show status messages in the contact list"), prefShowStatus, true, func(on bool) {
		if m := w.app.main; m != nil {
			m.setShowStatus(on)
		}
	})
	w.states = check(lang.L("Tell contacts when I am typing"), prefChatStates, true, func(bool) { w.app.applyPreferences() })
	w.markers = check(lang.L("Tell contacts when I have read their messages"), prefMarkers, true, func(bool) { w.app.applyPreferences() })
	w.hideOS = check(lang.L("Hide my operating system from contacts who ask which client I use"), prefHideOS, false, func(bool) { w.app.applyPreferences() })

	pictureLabels := []string{lang.L("Never")}
	for _, n := range autoPictureChoices[1:] {
		pictureLabels = append(pictureLabels, lang.L("Up to {{.Size}}", map[string]any{"Size": byteSize(int64(n))}))
	}
	w.autoPictures = widget.NewSelect(pictureLabels, nil)
	w.autoPictures.SetSelectedIndex(max(0, slices.Index(autoPictureChoices, p.IntWithFallback(prefAutoPictures, defaultAutoPictures))))
	w.autoPictures.OnChanged = func(string) {
		p.SetInt(prefAutoPictures, autoPictureChoices[w.autoPictures.SelectedIndex()])
	}
	autoNote := widget.NewLabel(lang.L("Fetching a picture tells its sender's server that, and when, you looked. Pictures from others, and larger ones, load when you tap them."))
	autoNote.Importance = widget.LowImportance
	autoNote.Wrapping = fyne.TextWrapWord

	section := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	body := container.NewVBox(
		section(lang.L("Appearance")),
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Theme")), w.theme,
			widget.NewLabel(lang.L("Text size")), container.NewBorder(nil, nil, nil, w.scaleLabel, w.scale),
			widget.NewLabel(lang.L("Language")), w.language,
		),
		w.restart,
		widget.NewSeparator(),
		section(lang.L("Notifications")), w.notify, w.notifyText, w.sounds,
		widget.NewSeparator(),
		section(lang.L("Contact list")), w.offline, w.status,
		widget.NewSeparator(),
		section(lang.L("Privacy")), w.states, w.markers, w.hideOS,
		widget.NewSeparator(),
		section(lang.L("Files")),
		container.New(layout.NewFormLayout(), widget.NewLabel(lang.L("Show pictures from contacts without a tap")), w.autoPictures),
		autoNote,
	)
	closeBtn := widget.NewButton(lang.L("Close"), w.win.Close)
	w.win.SetContent(container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), closeBtn), nil, nil,
		container.NewVScroll(container.NewPadded(body))))
	w.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			w.win.Close()
		}
	})
}

func (w *preferencesWindow) showScale() {
	w.scaleLabel.SetText(fmt.Sprintf("%d %%", int(w.scale.Value*100+0.5)))
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}
