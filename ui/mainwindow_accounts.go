package ui

import (
	"context"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/ui/widgets"
)

// The main window's lines for each account: its connection state, and
// what it needs from the user (a password, trusting a certificate).

// syncAccounts follows the client's accounts (added from the sign-in
// window, or removed).
func (m *mainWindow) syncAccounts() {
	sessions := m.app.Client.Sessions()
	m.accounts = m.accounts[:0]
	keep := map[string]bool{}
	for _, s := range sessions {
		jid := s.Account().JID
		keep[jid] = true
		m.accounts = append(m.accounts, jid)
		if m.views[jid] != nil {
			continue
		}
		v := &accountState{jid: jid, session: s, contacts: map[string]core.Contact{}, requests: map[string]history.Request{}}
		var jids []string
		for _, c := range s.Roster().Contacts() {
			v.contacts[c.JID] = c
			jids = append(jids, c.JID)
		}
		v.state, v.err = s.State()
		m.loadAvatars(jid, jids)
		v.label = widget.NewLabel("")
		v.label.Wrapping = fyne.TextWrapWord
		v.signIn = widget.NewButton(lang.L("Sign in again"), func() { m.signInAgain(v) })
		v.row = container.NewBorder(nil, nil, nil, container.NewCenter(v.signIn), v.label)
		m.views[jid] = v
		// Requests are in the history store: read off the UI goroutine.
		m.app.background(func() error {
			reqs, err := s.PendingRequests()
			if err == nil {
				m.app.do(func() {
					for _, r := range reqs {
						if _, ok := v.requests[r.From]; !ok {
							v.requests[r.From] = r
						}
					}
					m.scheduleRebuild()
				})
			}
			return err
		}, func(error) {})
	}
	for jid := range m.views {
		if !keep[jid] {
			delete(m.views, jid)
		}
	}
	m.states.Objects = m.states.Objects[:0]
	for _, jid := range m.accounts {
		v := m.views[jid]
		m.updateState(v)
		m.states.Objects = append(m.states.Objects, v.row)
	}
	m.relayout()
}

// updateState shows an account's connection state.
func (m *mainWindow) updateState(v *accountState) {
	text, imp := accountStateText(v.state, v.err)
	if v.state == core.StateReconnecting {
		if secs := int(math.Ceil(time.Until(v.retry.At).Seconds())); !v.retry.At.IsZero() && secs > 0 {
			text = lang.L("Reconnecting in {{.Seconds}} s…", map[string]any{"Seconds": secs})
			m.scheduleTick()
		}
	}
	if len(m.accounts) > 1 {
		text = v.jid + ": " + text
	}
	signIn := v.state == core.StateOffline && v.err != nil
	if v.label.Text == text && v.label.Importance == imp && v.signIn.Visible() == signIn {
		return
	}
	v.label.Importance = imp
	v.label.SetText(text)
	widgets.SetVisible(v.signIn, signIn)
	m.relayout()
}

// relayout lays the window out again after the state lines changed
// height (a container does not tell its parent that its size changed).
// Not while the window is being made: its content is laid out once set.
func (m *mainWindow) relayout() {
	if m.root != nil && m.win.Content() == m.root {
		m.root.Refresh()
	}
}

// scheduleTick refreshes the reconnection countdowns in a second.
func (m *mainWindow) scheduleTick() {
	if m.tickQueued {
		return
	}
	m.tickQueued = true
	time.AfterFunc(time.Second, func() {
		m.app.do(func() {
			m.tickQueued = false
			if m.closed {
				return
			}
			for _, v := range m.views {
				if v.state == core.StateReconnecting {
					m.updateState(v)
				}
			}
		})
	})
}

// signInAgain retries an account that went offline with an error: the
// sign-in window when the person must act (password, certificate), else a
// new connection.
func (m *mainWindow) signInAgain(v *accountState) {
	switch core.Classify(v.err) {
	case core.ProblemWrongPassword, core.ProblemPasswordNeeded, core.ProblemKeyring:
		m.askPassword(v)
		return
	case core.ProblemCertificate:
		if ce, ok := core.CertificateOf(v.err); ok {
			m.askTrust(v, ce)
			return
		}
		m.app.ShowLogin()
		return
	case core.ProblemAccountDisabled, core.ProblemInvalidAddress:
		m.app.ShowLogin()
		return
	}
	s := v.session
	m.app.background(func() error { s.Connect(); return nil }, func(error) {})
}

// askTrust asks whether to trust the certificate an account's server
// presented: for the first time, or changed since it was pinned (then the
// dialog says so and shows the old fingerprints too). Trusting pins it in
// place of the old ones and signs in.
func (m *mainWindow) askTrust(v *accountState, ce core.UntrustedCertificate) {
	fp := ce.Fingerprint
	domain := ce.Domain
	if domain == "" {
		domain = loginDomain(v.jid)
	}
	s := v.session
	m.trustDialog = showCertificateDialog(m.win, domain, fp, ce.Pinned, func(trust bool) {
		m.trustDialog = nil
		if !trust {
			return
		}
		m.app.background(func() error {
			if err := m.app.Client.TrustCertificate(s.Account().JID, fp); err != nil {
				return err
			}
			s.Connect()
			return nil
		}, func(err error) {
			if err != nil && !m.closed {
				dialog.ShowInformation(lang.L("Certificate not saved"),
					lang.L("Causerie could not save the account on this computer. Check that your configuration folder can be written to, then try again."), m.win)
			}
		})
	})
}

// askPassword asks for an account's password (it was refused, or is not
// known) and signs in with it; "remember" stores it in the keyring.
func (m *mainWindow) askPassword(v *accountState) {
	s := v.session
	a := s.Account()
	var d *dialog.CustomDialog
	pw := widgets.NewEntry(func() { d.Hide() })
	pw.Password = true
	remember := widget.NewCheck(lang.L("Remember password"), nil)
	remember.SetChecked(a.RememberPassword)
	why := widget.NewLabel(Explain(v.err))
	why.Wrapping = fyne.TextWrapWord
	msg := loginMessageLabel(widget.DangerImportance)
	content := container.NewVBox(why, pw, remember, msg)
	submit := func() {
		if pw.Text == "" {
			setFieldMessage(msg, lang.L("Type the password to sign in."), content)
			return
		}
		password, keep := pw.Text, remember.Checked
		d.Hide()
		m.app.background(func() error {
			s.SetPassword(password)
			var kerr error
			if keep != s.Account().RememberPassword || keep {
				ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
				defer cancel()
				kerr = s.RememberPassword(ctx, keep)
			}
			s.Connect()
			return kerr
		}, func(err error) {
			if err != nil && !m.closed {
				dialog.ShowInformation(lang.L("Password not remembered"),
					lang.L("Signing in with it, but the system keyring could not store it: Causerie will ask again next time."), m.win)
			}
		})
	}
	pw.OnSubmitted = func(string) { submit() }
	ok := widget.NewButton(lang.L("Sign in"), submit)
	ok.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(lang.L("Password for {{.Account}}", map[string]any{"Account": a.JID}),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), widget.NewButton(lang.L("Cancel"), func() { d.Hide() }), ok), nil, nil, content), m.win)
	d.Resize(dialogSize(m.win, fyne.NewSize(400, 0)))
	m.passwordDialog = d
	d.Show()
	m.win.Canvas().Focus(pw)
}
