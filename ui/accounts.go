package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
)

// accountsWindow lists the accounts with their state and what can be
// done with each: sign in or out, settings, password change, removal; and
// adds accounts (the welcome window: sign in or create one).
//
// Several accounts are shown in the main window as one roster section per
// account (as Pidgin and Psi do), not behind an account switcher: every
// contact is in view at once, and a chat knows its account from the row
// it was opened from (ChatKey). This window is where accounts are managed.
//
// All methods run on Fyne's goroutine.
type accountsWindow struct {
	app  *App
	win  fyne.Window
	list *fyne.Container
	rows map[string]*accountRow
	// dialog is the settings, password or removal dialog open over the
	// window, if any (tests reach it from here).
	settings *accountSettings
	password *passwordDialog
	removal  *removeDialog
	blocked  *blockedDialog
}

// accountRow is one account in the window.
type accountRow struct {
	jid                          string
	title, state                 *widget.Label
	connect, settings, pass, del *widget.Button
	profile, blocked             *widget.Button
	box                          fyne.CanvasObject
}

// ShowAccounts opens the accounts window, or brings it to the front. With
// no account at all it is the welcome window instead.
func (a *App) ShowAccounts() {
	if len(a.Client.Sessions()) == 0 {
		a.ShowLogin()
		return
	}
	if a.accounts != nil {
		a.accounts.win.Show()
		a.accounts.win.RequestFocus()
		return
	}
	w := &accountsWindow{app: a, rows: map[string]*accountRow{}}
	w.win = a.FyneApp.NewWindow(lang.L("Accounts") + " — Causerie")
	w.list = container.NewVBox()
	add := widget.NewButtonWithIcon(lang.L("Add account…"), theme.ContentAddIcon(), a.ShowLogin)
	closeBtn := widget.NewButton(lang.L("Close"), w.win.Close)
	w.win.SetContent(container.NewBorder(nil,
		container.NewHBox(add, layout.NewSpacer(), closeBtn),
		nil, nil, container.NewVScroll(w.list)))
	w.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape && w.win.Canvas().Overlays().Top() == nil {
			w.win.Close()
		}
	})
	w.win.SetOnClosed(func() {
		if a.accounts == w {
			a.accounts = nil
		}
	})
	w.win.Resize(fyne.NewSize(560, 640))
	a.accounts = w
	w.sync()
	w.win.Show()
}

// sync follows the client's accounts.
func (w *accountsWindow) sync() {
	sessions := w.app.Client.Sessions()
	keep := map[string]bool{}
	w.list.Objects = w.list.Objects[:0]
	for _, s := range sessions {
		jid := s.Account().JID
		keep[jid] = true
		r := w.rows[jid]
		if r == nil {
			r = w.newRow(jid)
			w.rows[jid] = r
		}
		w.update(r)
		w.list.Objects = append(w.list.Objects, r.box, widget.NewSeparator())
	}
	for jid := range w.rows {
		if !keep[jid] {
			delete(w.rows, jid)
		}
	}
	w.list.Refresh()
	if len(sessions) == 0 {
		// The last account is gone: back to the welcome window.
		w.win.Close()
	}
}

func (w *accountsWindow) newRow(jid string) *accountRow {
	r := &accountRow{jid: jid}
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.state = widget.NewLabel("")
	r.state.Wrapping = fyne.TextWrapWord
	r.connect = widget.NewButton("", func() { w.toggleConnection(jid) })
	r.settings = widget.NewButtonWithIcon(lang.L("Settings…"), theme.SettingsIcon(), func() { w.showSettings(jid) })
	r.pass = widget.NewButton(lang.L("Change password…"), func() { w.showPassword(jid) })
	r.del = widget.NewButtonWithIcon(lang.L("Remove…"), theme.DeleteIcon(), func() { w.showRemove(jid) })
	r.profile = widget.NewButtonWithIcon(lang.L("My profile…"), theme.AccountIcon(), func() { w.app.ShowProfile(jid) })
	r.blocked = widget.NewButton(lang.L("Blocked addresses…"), func() { w.showBlocked(jid) })
	r.box = container.NewVBox(r.title, r.state, container.NewHBox(r.connect, r.settings, r.pass, r.del),
		container.NewHBox(r.profile, r.blocked))
	return r
}

// update shows an account's name and state.
func (w *accountsWindow) update(r *accountRow) {
	s, ok := w.app.Client.Session(r.jid)
	if !ok {
		return
	}
	a := s.Account()
	title := a.JID
	if a.DisplayName != "" {
		title = a.DisplayName + " — " + a.JID
	}
	r.title.SetText(title)
	st, err := s.State()
	text, imp := accountStateText(st, err)
	if a.Disabled {
		text, imp = lang.L("Disabled"), widget.LowImportance
	}
	r.state.Importance = imp
	r.state.SetText(text)
	if st == core.StateOffline {
		r.connect.SetText(lang.L("Sign in"))
	} else {
		r.connect.SetText(lang.L("Sign out"))
	}
	if a.Disabled {
		r.connect.Disable()
	} else {
		r.connect.Enable()
	}
	for _, b := range []*widget.Button{r.pass, r.profile, r.blocked} {
		if st == core.StateOnline {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// accountStateText is an account's connection state in words.
func accountStateText(st core.State, err error) (string, widget.Importance) {
	switch st {
	case core.StateConnecting:
		return lang.L("Connecting…"), widget.MediumImportance
	case core.StateOnline:
		return lang.L("Online"), widget.SuccessImportance
	case core.StateReconnecting:
		return lang.L("Reconnecting…"), widget.WarningImportance
	}
	if err != nil {
		return lang.L("Offline — {{.Reason}}", map[string]any{"Reason": Explain(err)}), widget.DangerImportance
	}
	return lang.L("Offline"), widget.MediumImportance
}

// toggleConnection signs an account in or out (off the UI goroutine:
// signing out waits for the stream to close).
func (w *accountsWindow) toggleConnection(jid string) {
	s, ok := w.app.Client.Session(jid)
	if !ok {
		return
	}
	if st, _ := s.State(); st == core.StateOffline {
		if s.Account().Disabled {
			return
		}
		w.app.background(func() error { s.Connect(); return nil }, func(error) {})
		return
	}
	w.app.background(func() error { s.Disconnect(); return nil }, func(error) {})
}

// handle runs on Fyne's goroutine for each core event.
func (w *accountsWindow) handle(e core.Event) {
	switch e := e.(type) {
	case core.AccountsChanged:
		w.sync()
	case core.ConnectionStateChanged:
		if r := w.rows[e.Account]; r != nil {
			w.update(r)
		}
	}
	if w.settings != nil {
		w.settings.handle(e)
	}
	if w.password != nil {
		w.password.handle(e)
	}
	if w.removal != nil {
		w.removal.handle(e)
	}
	if w.blocked != nil {
		w.blocked.handle(e)
	}
}
