package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestPreferencesWindow: each preference applies at once (theme, text
// size, typing notifications, OS hidden) and is remembered; the language
// says it applies at the next start.
func TestPreferencesWindow(t *testing.T) {
	srv := prosody(t)
	h, s, m := signedIn(t, srv)
	p := newPeer(t, srv)
	h.app.ShowPreferences()
	w := h.app.prefs
	if w == nil {
		t.Fatal("no preferences window")
	}
	// Dark theme forced, whatever the system says.
	w.theme.SetSelectedIndex(2)
	th := h.fyne.Settings().Theme()
	dark := h.app.baseTheme.Color(theme.ColorNameBackground, theme.VariantDark)
	if got := th.Color(theme.ColorNameBackground, theme.VariantLight); got != dark {
		t.Errorf("background %v, want the dark one %v", got, dark)
	}
	// Text size.
	w.scale.SetValue(1.5)
	w.scale.OnChangeEnded(1.5)
	if got, base := h.fyne.Settings().Theme().Size(theme.SizeNameText), h.app.baseTheme.Size(theme.SizeNameText); got != base*1.5 {
		t.Errorf("text size %v, want %v", got, base*1.5)
	}
	// Hide the OS: the other client's version question gets none.
	test.Tap(w.hideOS)
	v, err := p.session.SoftwareVersion(t.Context(), s.JID())
	if err != nil || v.Name != "Causerie" || v.OS != "" {
		t.Errorf("version with OS hidden: %+v %v", v, err)
	}
	test.Tap(w.hideOS)
	if v, _ := p.session.SoftwareVersion(t.Context(), s.JID()); v.OS == "" {
		t.Error("OS still hidden")
	}
	// Read markers: on until turned off.
	if !h.client.ReadMarkers() {
		t.Error("read markers off by default")
	}
	test.Tap(w.markers)
	if h.client.ReadMarkers() {
		t.Error("read markers still on")
	}
	test.Tap(w.markers)
	// Contact list options follow the main window's.
	test.Tap(w.offline)
	if !m.offlinePref {
		t.Error("show offline not applied")
	}
	// Language: remembered, at the next start.
	w.language.SetSelectedIndex(2)
	if LanguagePreference(h.fyne) != "fr" || !w.restart.Visible() {
		t.Error("language not remembered or not explained")
	}
}

func TestThemeVariantForced(t *testing.T) {
	dark := theme.VariantDark
	th := appTheme{Theme: theme.DefaultTheme(), variant: &dark}
	want := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	if got := th.Color(theme.ColorNameBackground, theme.VariantLight); got != want {
		t.Errorf("forced dark: %v, want %v", got, want)
	}
	if got := (appTheme{Theme: theme.DefaultTheme()}).Color(theme.ColorNameBackground, theme.VariantLight); got == want {
		t.Error("the system's variant is not followed")
	}
}
