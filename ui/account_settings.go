package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/ui/widgets"
)

// accountSettings is the settings dialog of one account: display name,
// resource, priority, server host and port, TLS mode, the pinned
// certificate (shown, and forgotten on request), auto-connect, enabled
// and "remember password". Connection settings apply on the next
// connection; when the account is online it offers to reconnect now.
type accountSettings struct {
	w   *accountsWindow
	jid string
	dlg *dialog.CustomDialog

	name, resource, priority, host, port *widgets.Entry
	nameMsg, resMsg, prioMsg, hostMsg    *widget.Label
	portMsg, errorText                   *widget.Label
	tls                                  *widget.RadioGroup
	autoConnect, enabled, remember       *widget.Check
	// ignoreStrangers: drop messages from people not in the contacts.
	ignoreStrangers *widget.Check
	// archive is what the server keeps (XEP-0441), read from it when
	// the dialog opens; archiveNote says why it cannot be changed.
	archive       *widget.Select
	archiveNote   *widget.Label
	archiveLoaded string            // the policy the server said; "" until then
	archiveLabels map[string]string // policy → option label
	pinned        []string
	pinBox        *fyne.Container
	save, cancel  *widget.Button
	progress      *widget.ProgressBarInfinite
	view          fyne.CanvasObject
	busy          bool
}

func (w *accountsWindow) showSettings(jid string) {
	s, ok := w.app.Client.Session(jid)
	if !ok {
		return
	}
	a := s.Account()
	d := &accountSettings{w: w, jid: a.JID, pinned: slices.Clone(a.Pinned)}
	esc := func() { d.close() }
	d.name = widgets.NewEntry(esc)
	d.name.SetText(a.DisplayName)
	d.name.SetPlaceHolder(lang.L("Shown instead of the address"))
	d.resource = widgets.NewEntry(esc)
	d.resource.SetText(a.Resource)
	d.resource.SetPlaceHolder(lang.L("Automatic"))
	d.priority = widgets.NewEntry(esc)
	d.priority.SetText(strconv.Itoa(a.Priority))
	d.host = widgets.NewEntry(esc)
	d.host.SetText(a.Host)
	d.host.SetPlaceHolder(lang.L("Automatic"))
	d.port = widgets.NewEntry(esc)
	d.port.Digits = true
	if a.Port != 0 {
		d.port.SetText(strconv.Itoa(a.Port))
	}
	tlsStart, tlsDirect := lang.L("STARTTLS (port 5222)"), lang.L("Direct TLS (port 5223)")
	d.tls = widget.NewRadioGroup([]string{tlsStart, tlsDirect}, nil)
	d.tls.Required = true
	d.tls.Horizontal = true
	if a.TLSMode == account.TLSDirect {
		d.tls.SetSelected(tlsDirect)
	} else {
		d.tls.SetSelected(tlsStart)
	}
	d.tls.OnChanged = func(v string) {
		if v == tlsDirect {
			d.port.SetPlaceHolder("5223")
		} else {
			d.port.SetPlaceHolder("5222")
		}
	}
	d.tls.OnChanged(d.tls.Selected)
	d.autoConnect = widget.NewCheck(lang.L("Sign in when Causerie starts"), nil)
	d.autoConnect.SetChecked(a.AutoConnect)
	d.enabled = widget.NewCheck(lang.L("Account enabled"), nil)
	d.enabled.SetChecked(!a.Disabled)
	d.remember = widget.NewCheck(lang.L("Remember password in the system keyring"), nil)
	d.remember.SetChecked(a.RememberPassword)
	d.ignoreStrangers = widget.NewCheck(lang.L("Ignore messages from people who are not in my contacts"), nil)
	d.ignoreStrangers.SetChecked(a.IgnoreStrangers)
	for _, m := range []**widget.Label{&d.nameMsg, &d.resMsg, &d.prioMsg, &d.hostMsg, &d.portMsg, &d.errorText} {
		*m = loginMessageLabel(widget.DangerImportance)
	}
	d.newArchive(s)
	d.pinBox = container.NewVBox()
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()

	form := container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Name")), container.NewVBox(d.name, d.nameMsg),
			widget.NewLabel(lang.L("Resource")), container.NewVBox(d.resource, d.resMsg),
			widget.NewLabel(lang.L("Priority")), container.NewVBox(d.priority, d.prioMsg),
			widget.NewLabel(lang.L("Server host")), container.NewVBox(d.host, d.hostMsg),
			widget.NewLabel(lang.L("Port")), container.NewVBox(d.port, d.portMsg),
			widget.NewLabel(lang.L("Encryption")), d.tls,
			widget.NewLabel(lang.L("Server archive")), container.NewVBox(d.archive, d.archiveNote),
		),
		d.autoConnect, d.enabled, d.remember, d.ignoreStrangers,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Trusted certificate"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		d.pinBox,
		d.progress, d.errorText,
	)
	d.cancel = widget.NewButton(lang.L("Cancel"), d.close)
	d.save = widget.NewButton(lang.L("Save"), d.submit)
	d.save.Importance = widget.HighImportance
	d.view = container.NewVScroll(form)
	d.dlg = dialog.NewCustomWithoutButtons(lang.L("Settings of {{.Account}}", map[string]any{"Account": a.JID}),
		container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), d.cancel, d.save), nil, nil, d.view), w.win)
	d.dlg.SetOnClosed(func() {
		if w.settings == d {
			w.settings = nil
		}
	})
	d.showPins()
	w.settings = d
	d.dlg.Resize(fyne.NewSize(500, 560))
	d.dlg.Show()
	w.win.Canvas().Focus(d.name)
}

// showPins lists the pinned certificates, each with Forget.
func (d *accountSettings) showPins() {
	d.pinBox.Objects = d.pinBox.Objects[:0]
	if len(d.pinned) == 0 {
		l := widget.NewLabel(lang.L("None: the server's certificate must be trusted by this computer. A certificate you accept when signing in is pinned here."))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		d.pinBox.Add(l)
	}
	for _, fp := range d.pinned {
		l := widget.NewLabel(lang.L("SHA-256 fingerprint:") + "\n" + loginFingerprintLines(fp))
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Selectable = true
		forget := widget.NewButton(lang.L("Forget"), func() {
			d.pinned = slices.DeleteFunc(d.pinned, func(p string) bool { return p == fp })
			d.showPins()
		})
		d.pinBox.Add(container.NewVBox(l, container.NewHBox(forget)))
	}
	d.pinBox.Refresh()
	d.view.Refresh()
}

func (d *accountSettings) close() {
	if !d.busy {
		d.dlg.Hide()
	}
}

func (d *accountSettings) msg(m *widget.Label, text string) { setFieldMessage(m, text, d.view) }

// collect reads and checks the form; false when a field is wrong (its
// message says why).
func (d *accountSettings) collect(a account.Account) (account.Account, bool) {
	for _, m := range []*widget.Label{d.nameMsg, d.resMsg, d.prioMsg, d.hostMsg, d.portMsg, d.errorText} {
		d.msg(m, "")
	}
	a.DisplayName = strings.TrimSpace(d.name.Text)
	a.Resource = strings.TrimSpace(d.resource.Text)
	a.Host = strings.TrimSpace(d.host.Text)
	ok := true
	prio, err := strconv.Atoi(strings.TrimSpace(d.priority.Text))
	if err != nil || prio < account.MinPriority || prio > account.MaxPriority {
		d.msg(d.prioMsg, lang.L("The priority is a whole number from -128 to 127."))
		ok = false
	}
	if ok {
		a.Priority = prio
	}
	port, problem := parsePort(d.port.Text)
	if problem != "" {
		d.msg(d.portMsg, problem)
		ok = false
	}
	a.Port = port
	a.TLSMode = account.TLSStartTLS
	if d.tls.Selected == d.tls.Options[1] {
		a.TLSMode = account.TLSDirect
	}
	a.AutoConnect = d.autoConnect.Checked
	a.Disabled = !d.enabled.Checked
	a.IgnoreStrangers = d.ignoreStrangers.Checked
	a.Pinned = slices.Clone(d.pinned)
	var ve *account.ValidationError
	if err := a.Validate(); errors.As(err, &ve) {
		switch ve.Field {
		case "DisplayName":
			d.msg(d.nameMsg, lang.L("This name is too long."))
		case "Resource":
			d.msg(d.resMsg, lang.L("The resource must be shorter and without control characters."))
		case "Host":
			d.msg(d.hostMsg, lang.L("This is not a server name or address. Leave it empty to find the server from the address."))
		default:
			d.msg(d.errorText, lang.L("These settings cannot be saved."))
		}
		return a, false
	} else if err != nil {
		d.msg(d.errorText, lang.L("These settings cannot be saved."))
		return a, false
	}
	return a, ok
}

// connectionChanged: a setting used when connecting changed.
func connectionChanged(a, b account.Account) bool {
	return a.Resource != b.Resource || a.Host != b.Host || a.Port != b.Port ||
		a.TLSMode != b.TLSMode && !(a.TLSMode == "" && b.TLSMode == account.TLSStartTLS) ||
		!slices.Equal(a.Pinned, b.Pinned)
}

// submit saves the settings off the UI goroutine (the keyring may block).
func (d *accountSettings) submit() {
	if d.busy {
		return
	}
	s, ok := d.w.app.Client.Session(d.jid)
	if !ok {
		d.dlg.Hide()
		return
	}
	old := s.Account()
	a, ok := d.collect(old)
	if !ok {
		return
	}
	a.RememberPassword = old.RememberPassword // changed below, in the keyring first
	remember := d.remember.Checked
	policy := d.archivePolicy()
	d.setBusy(true)
	c := d.w.app.Client
	var rememberErr, archiveErr error
	d.w.app.background(func() error {
		if err := c.UpdateAccount(a); err != nil {
			return err
		}
		if policy != "" {
			archiveErr = d.setArchive(s, policy)
		}
		if remember != old.RememberPassword {
			ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
			defer cancel()
			rememberErr = s.RememberPassword(ctx, remember)
			if errors.Is(rememberErr, core.ErrPasswordNeeded) {
				// Nothing to store yet: remember it at the next sign-in.
				a := s.Account()
				a.RememberPassword = true
				rememberErr = c.UpdateAccount(a)
			}
		}
		st, _ := s.State()
		switch {
		case a.Disabled && st != core.StateOffline:
			s.Disconnect()
		case !a.Disabled && old.Disabled:
			s.Connect()
		}
		return nil
	}, func(err error) {
		d.setBusy(false)
		if err != nil {
			d.msg(d.errorText, lang.L("The settings could not be saved: {{.Reason}}", map[string]any{"Reason": Explain(err)}))
			return
		}
		if rememberErr != nil {
			d.remember.SetChecked(s.Account().RememberPassword)
			d.msg(d.errorText, lang.L("The other settings are saved, but the system keyring could not be changed. Check that it is unlocked."))
			return
		}
		if archiveErr != nil {
			d.msg(d.errorText, lang.L("The other settings are saved, but the server did not change what it keeps: {{.Reason}}",
				map[string]any{"Reason": explainArchive(archiveErr)}))
			return
		}
		d.dlg.Hide()
		if st, _ := s.State(); st == core.StateOnline && connectionChanged(old, a) {
			dialog.ShowConfirm(lang.L("Reconnect now?"),
				lang.L("The new connection settings apply the next time {{.Account}} signs in. Reconnect now?", map[string]any{"Account": a.JID}),
				func(yes bool) {
					if yes {
						d.w.app.background(func() error { s.Disconnect(); s.Connect(); return nil }, func(error) {})
					}
				}, d.w.win)
		}
	})
}

func (d *accountSettings) setBusy(b bool) {
	d.busy = b
	if b {
		d.save.Disable()
		d.cancel.Disable()
		d.progress.Show()
		d.progress.Start()
	} else {
		d.save.Enable()
		d.cancel.Enable()
		d.progress.Stop()
		d.progress.Hide()
	}
	d.view.Refresh()
}

// handle closes the dialog when its account is removed.
func (d *accountSettings) handle(e core.Event) {
	if e, ok := e.(core.AccountsChanged); ok && e.Removed && e.Account == d.jid {
		d.busy = false
		d.dlg.Hide()
	}
}
