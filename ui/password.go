package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/ui/widgets"
)

// passwordDialog changes an account's password on the server (XEP-0077,
// the seed's "Changement de mot de passe"): the current password, the new
// one twice with a strength hint. The change goes over the signed-in
// stream; the keyring is updated only once the server has confirmed, and
// the session stays online.
type passwordDialog struct {
	w   *accountsWindow
	jid string
	dlg *dialog.CustomDialog

	old, new, confirm           *widgets.Entry
	oldMsg, newMsg, confirmMsg  *widget.Label
	strength, errorText, status *widget.Label
	progress                    *widget.ProgressBarInfinite
	change, cancel              *widget.Button
	view                        fyne.CanvasObject
	busy                        bool
	// done is called with the outcome when the dialog closes after a
	// change (tests).
	done func(notRemembered bool)
}

func (w *accountsWindow) showPassword(jid string) {
	d := &passwordDialog{w: w, jid: jid}
	esc := func() { d.close() }
	d.old, d.new, d.confirm = widgets.NewEntry(esc), widgets.NewEntry(esc), widgets.NewEntry(esc)
	for _, e := range []*widgets.Entry{d.old, d.new, d.confirm} {
		e.Password = true
	}
	d.oldMsg = loginMessageLabel(widget.DangerImportance)
	d.newMsg = loginMessageLabel(widget.DangerImportance)
	d.confirmMsg = loginMessageLabel(widget.DangerImportance)
	d.errorText = loginMessageLabel(widget.DangerImportance)
	d.status = loginMessageLabel(widget.MediumImportance)
	d.strength = loginMessageLabel(widget.LowImportance)
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.old.OnSubmitted = func(string) { w.win.Canvas().Focus(d.new) }
	d.new.OnSubmitted = func(string) { w.win.Canvas().Focus(d.confirm) }
	d.confirm.OnSubmitted = func(string) { d.submit() }
	d.old.OnChanged = func(string) { d.msg(d.oldMsg, "") }
	d.new.OnChanged = func(s string) {
		d.msg(d.newMsg, "")
		d.msg(d.strength, signupStrength(s))
	}
	d.confirm.OnChanged = func(string) { d.msg(d.confirmMsg, "") }

	intro := widget.NewLabel(lang.L("The password changes on the server {{.Server}}: use the new one everywhere you sign in with {{.Account}}.",
		map[string]any{"Server": loginDomain(jid), "Account": jid}))
	intro.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(intro,
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Current password")), container.NewVBox(d.old, d.oldMsg),
			widget.NewLabel(lang.L("New password")), container.NewVBox(d.new, d.strength, d.newMsg),
			widget.NewLabel(lang.L("New password again")), container.NewVBox(d.confirm, d.confirmMsg),
		),
		d.progress, d.status, d.errorText)
	d.view = form
	d.cancel = widget.NewButton(lang.L("Cancel"), d.close)
	d.change = widget.NewButton(lang.L("Change password"), d.submit)
	d.change.Importance = widget.HighImportance
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Change password"),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), d.cancel, d.change), nil, nil, form), w.win)
	d.dlg.SetOnClosed(func() {
		if w.password == d {
			w.password = nil
		}
	})
	w.password = d
	d.dlg.Resize(fyne.NewSize(500, 460)) // room for the messages under the fields
	d.dlg.Show()
	w.win.Canvas().Focus(d.old)
}

func (d *passwordDialog) msg(m *widget.Label, text string) { setFieldMessage(m, text, d.view) }

func (d *passwordDialog) close() {
	if !d.busy {
		d.dlg.Hide()
	}
}

// submit checks the fields and sends the change.
func (d *passwordDialog) submit() {
	if d.busy {
		return
	}
	d.msg(d.errorText, "")
	ok := true
	if d.old.Text == "" {
		d.msg(d.oldMsg, lang.L("Type your current password."))
		ok = false
	}
	switch {
	case d.new.Text == "":
		d.msg(d.newMsg, lang.L("Type the new password."))
		ok = false
	case d.new.Text == d.old.Text:
		d.msg(d.newMsg, lang.L("The new password is the same as the current one."))
		ok = false
	case d.confirm.Text != d.new.Text:
		d.msg(d.confirmMsg, lang.L("The two new passwords are different."))
		ok = false
	}
	if !ok {
		return
	}
	s, found := d.w.app.Client.Session(d.jid)
	if !found {
		d.dlg.Hide()
		return
	}
	old, new := d.old.Text, d.new.Text
	d.setBusy(true)
	d.w.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		return s.ChangePassword(ctx, old, new)
	}, func(err error) {
		d.setBusy(false)
		notRemembered := errors.Is(err, core.ErrPasswordNotRemembered)
		switch {
		case err == nil || notRemembered:
			d.dlg.Hide()
			text := lang.L("The password of {{.Account}} is changed.", map[string]any{"Account": d.jid})
			if notRemembered {
				text += "\n" + lang.L("The system keyring could not store it: Causerie will ask for it at the next sign-in.")
			}
			dialog.ShowInformation(lang.L("Password changed"), text, d.w.win)
			if d.done != nil {
				d.done(notRemembered)
			}
		case errors.Is(err, core.ErrWrongOldPassword):
			d.msg(d.oldMsg, lang.L("This is not the current password."))
			d.w.win.Canvas().Focus(d.old)
		case errors.Is(err, core.ErrWeakPassword):
			d.msg(d.newMsg, lang.L("The server did not accept this password. Try a longer one."))
			d.w.win.Canvas().Focus(d.new)
		case errors.Is(err, core.ErrPasswordChangeRefused):
			d.msg(d.errorText, lang.L("This server does not let chat clients change the password. Its web site may offer it."))
		default:
			d.msg(d.errorText, lang.L("The password was not changed: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
	})
}

func (d *passwordDialog) setBusy(b bool) {
	d.busy = b
	for _, e := range []*widgets.Entry{d.old, d.new, d.confirm} {
		if b {
			e.Disable()
		} else {
			e.Enable()
		}
	}
	if b {
		d.change.Disable()
		d.cancel.Disable()
		d.progress.Show()
		d.progress.Start()
		d.msg(d.status, lang.L("Changing the password on the server…"))
	} else {
		d.change.Enable()
		d.cancel.Enable()
		d.progress.Stop()
		d.progress.Hide()
		d.msg(d.status, "")
	}
	d.view.Refresh()
}

// handle follows the account's state: the change needs it online.
func (d *passwordDialog) handle(e core.Event) {
	switch e := e.(type) {
	case core.AccountsChanged:
		if e.Removed && e.Account == d.jid {
			d.busy = false
			d.dlg.Hide()
		}
	case core.ConnectionStateChanged:
		if e.Account != d.jid || d.busy {
			return
		}
		if e.State == core.StateOnline {
			d.change.Enable()
			d.msg(d.errorText, "")
		} else {
			d.change.Disable()
			d.msg(d.errorText, lang.L("Not connected: the password can be changed once the account is online."))
		}
	}
}
