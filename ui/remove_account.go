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
)

// removeDialog removes an account: from this computer only (its settings,
// its keyring entry and, if asked, its local history), or also on the
// server (XEP-0077 §3.2, the seed's "Fermeture d'un compte"), after a
// second confirmation that names the address and says it cannot be undone.
type removeDialog struct {
	w   *accountsWindow
	jid string
	dlg *dialog.CustomDialog

	choice              *widget.RadioGroup
	history             *widget.Check
	explain, errorText  *widget.Label
	status              *widget.Label
	progress            *widget.ProgressBarInfinite
	remove, cancel      *widget.Button
	view, bar           fyne.CanvasObject
	busy                bool
	confirm             *dialog.ConfirmDialog
	localOnly, onServer string
}

func (w *accountsWindow) showRemove(jid string) {
	d := &removeDialog{w: w, jid: jid}
	d.localOnly = lang.L("Remove it from this computer only")
	d.onServer = lang.L("Delete the account on the server")
	d.choice = widget.NewRadioGroup([]string{d.localOnly, d.onServer}, nil)
	d.choice.Required = true
	d.choice.SetSelected(d.localOnly)
	d.choice.OnChanged = func(string) { d.refresh() }
	d.history = widget.NewCheck(lang.L("Also delete its chat history on this computer"), nil)
	d.explain = widget.NewLabel("")
	d.explain.Wrapping = fyne.TextWrapWord
	d.errorText = loginMessageLabel(widget.DangerImportance)
	d.status = loginMessageLabel(widget.MediumImportance)
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.cancel = widget.NewButton(lang.L("Cancel"), d.close)
	d.remove = widget.NewButton(lang.L("Remove"), d.submit)
	d.remove.Importance = widget.DangerImportance
	d.view = container.NewVBox(d.choice, d.explain, d.history, d.progress, d.status, d.errorText)
	d.bar = container.NewHBox(layout.NewSpacer(), d.cancel, d.remove)
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Remove {{.Account}}", map[string]any{"Account": jid}),
		container.NewBorder(nil, d.bar, nil, nil, d.view), w.win)
	d.dlg.SetOnClosed(func() {
		if w.removal == d {
			w.removal = nil
		}
	})
	w.removal = d
	d.refresh()
	d.dlg.Resize(fyne.NewSize(500, 400)) // room for the messages
	d.dlg.Show()
}

func (d *removeDialog) online() bool {
	s, ok := d.w.app.Client.Session(d.jid)
	if !ok {
		return false
	}
	st, _ := s.State()
	return st == core.StateOnline
}

// refresh explains the choice; deleting on the server needs the account
// online.
func (d *removeDialog) refresh() {
	if d.choice.Selected == d.onServer {
		d.explain.SetText(lang.L("The server deletes {{.Account}} with its contact list; nobody can sign in with it again, and messages sent to it are lost. This cannot be undone.", map[string]any{"Account": d.jid}))
		d.remove.SetText(lang.L("Delete account…"))
		if d.online() {
			d.setMessage(d.errorText, "")
			if !d.busy {
				d.remove.Enable()
			}
		} else {
			d.setMessage(d.errorText, lang.L("Sign in first: the account can only be deleted on the server while it is online."))
			d.remove.Disable()
		}
	} else {
		d.explain.SetText(lang.L("Causerie forgets {{.Account}} and its password. The account stays on the server: you can sign in again later, here or elsewhere.", map[string]any{"Account": d.jid}))
		d.remove.SetText(lang.L("Remove"))
		d.setMessage(d.errorText, "")
		if !d.busy {
			d.remove.Enable()
		}
	}
	d.view.Refresh()
	d.bar.Refresh() // the button's text, so its width, changed
}

func (d *removeDialog) setMessage(m *widget.Label, text string) { setFieldMessage(m, text, d.view) }

func (d *removeDialog) close() {
	if !d.busy {
		d.dlg.Hide()
	}
}

// submit removes locally at once, or asks once more before deleting on
// the server.
func (d *removeDialog) submit() {
	if d.busy {
		return
	}
	if d.choice.Selected != d.onServer {
		d.run(false)
		return
	}
	msg := widget.NewLabel(lang.L("Delete {{.Account}} on the server for good? This cannot be undone.", map[string]any{"Account": d.jid}))
	msg.Wrapping = fyne.TextWrapWord
	d.confirm = dialog.NewCustomConfirm(lang.L("Delete the account?"), lang.L("Delete for good"), lang.L("Cancel"), msg,
		func(yes bool) {
			d.confirm = nil
			if yes {
				d.run(true)
			}
		}, d.w.win)
	d.confirm.SetConfirmImportance(widget.DangerImportance)
	d.confirm.Resize(fyne.NewSize(420, 0))
	d.confirm.Show()
}

// run does the removal off the UI goroutine.
func (d *removeDialog) run(onServer bool) {
	c := d.w.app.Client
	jid, history := d.jid, d.history.Checked
	d.setBusy(true, onServer)
	d.w.app.background(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		if onServer {
			return c.DeleteFromServer(ctx, jid, history)
		}
		return c.RemoveAccount(ctx, jid, history)
	}, func(err error) {
		if err == nil {
			d.busy = false
			d.dlg.Hide()
			if onServer {
				dialog.ShowInformation(lang.L("Account deleted"),
					lang.L("{{.Account}} was deleted on the server.", map[string]any{"Account": jid}), d.w.app.anyWindow())
			}
			return
		}
		d.setBusy(false, onServer)
		switch {
		case errors.Is(err, core.ErrDeleteRefused):
			d.setMessage(d.errorText, lang.L("This server does not let chat clients delete accounts. Its web site or administrator may."))
		case onServer:
			d.setMessage(d.errorText, lang.L("The account was not deleted: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		default:
			d.setMessage(d.errorText, lang.L("Not everything could be removed: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
		}
	})
}

func (d *removeDialog) setBusy(b, onServer bool) {
	d.busy = b
	if b {
		d.remove.Disable()
		d.cancel.Disable()
		d.choice.Disable()
		d.history.Disable()
		d.progress.Show()
		d.progress.Start()
		if onServer {
			d.setMessage(d.status, lang.L("Deleting the account on the server…"))
		} else {
			d.setMessage(d.status, lang.L("Removing the account…"))
		}
		return
	}
	d.cancel.Enable()
	d.choice.Enable()
	d.history.Enable()
	d.progress.Stop()
	d.progress.Hide()
	d.setMessage(d.status, "")
	d.refresh()
}

// handle follows the account's state (deleting needs it online).
func (d *removeDialog) handle(e core.Event) {
	if st, ok := e.(core.ConnectionStateChanged); ok && st.Account == d.jid && !d.busy {
		d.refresh()
	}
}
