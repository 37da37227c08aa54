package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/assets"
	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/ui/widgets"
)

// loginPhase is where the sign-in stands.
type loginPhase int

const (
	loginIdle       loginPhase = iota // the form is editable
	loginConnecting                   // waiting for the session to go online or fail
	loginTrusting                     // the certificate question is open
	loginDone                         // signed in: the window is closing
)

// loginWindow is the welcome and sign-in window (login.go).
//
// Every field is touched only on Fyne's goroutine: in handle (core events
// routed by App.dispatch) and in callbacks of a.background / widgets.
type loginWindow struct {
	app *App
	win fyne.Window

	welcome, signInView fyne.CanvasObject
	onSignInView        bool

	address, password         *widgets.Entry
	host, port, resource      *widgets.Entry
	remember, directTLS       *widgets.Check
	advanced                  *widget.Accordion
	addressMsg, passwordMsg   *widget.Label
	hostMsg, portMsg, resMsg  *widget.Label
	notice, status, errorText *widget.Label
	progress                  *widget.ProgressBarInfinite
	signIn, back              *widget.Button

	phase loginPhase
	// busy counts background jobs started by this window; the form stays
	// disabled until they are all done. last is closed when the latest
	// job has finished (see chain).
	busy int
	last chan struct{}
	// jid is the (normalised) account being signed in.
	jid string
	// sawConnecting: the session reported StateConnecting for the current
	// attempt, so failures seen from now on are this attempt's own.
	sawConnecting bool
	// created is an account this window added that has never been online:
	// it is removed again when the person goes back or closes the window.
	created string
	// keyringFailed: the password could not be saved in the keyring.
	keyringFailed bool
	// trust is the open certificate question, if any.
	trust dialog.Dialog
	// trustFingerprint is the fingerprint the question shows.
	trustFingerprint string
	// closing: the person closed the window; closeJob: the clean-up before
	// it goes has started.
	closing, closeJob bool
	// signup is the sign-up wizard when it is shown (signup.go).
	signup *signupWizard
}

// loginTimeout bounds the account store and keyring work of a sign-in.
const loginTimeout = 30 * time.Second

// ShowLogin shows the welcome window with "Sign in" and "Create account".
func (a *App) ShowLogin() {
	if a.login != nil {
		a.login.win.Show()
		a.login.win.RequestFocus()
		return
	}
	l := &loginWindow{app: a}
	l.win = a.newWindow(lang.L("Causerie"))
	l.build()
	l.showWelcome()
	l.win.Resize(fyne.NewSize(480, 560))
	l.win.SetOnClosed(func() {
		if a.login == l {
			a.login = nil
		}
		if a.main != nil && a.main.hidden {
			// The last account was removed and none was added: quit.
			a.FyneApp.Quit()
		}
	})
	l.win.SetCloseIntercept(l.closeRequested)
	a.login = l
	l.win.Show()
}

func (l *loginWindow) build() {
	// Welcome view.
	icon := canvas.NewImageFromResource(assets.LargeIcon)
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSize(96, 96))
	name := widget.NewLabelWithStyle(lang.L("Causerie"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	name.SizeName = theme.SizeNameHeadingText
	about := widget.NewLabel(lang.L("Chat with anyone on the open XMPP network, from your desktop."))
	about.Alignment = fyne.TextAlignCenter
	about.Wrapping = fyne.TextWrapWord
	signIn := widget.NewButton(lang.L("Sign in"), l.showSignIn)
	signIn.Importance = widget.HighImportance
	create := widget.NewButton(lang.L("Create account"), l.createAccount)
	l.welcome = container.NewBorder(nil, nil, nil, nil, container.NewCenter(container.NewVBox(
		container.NewCenter(icon),
		name,
		container.NewGridWrap(fyne.NewSize(360, about.MinSize().Height*2), about),
		container.NewCenter(container.NewHBox(create, signIn)),
	)))

	// Sign-in view.
	l.address = widgets.NewEntry(l.escape)
	l.address.SetPlaceHolder(lang.L("name@example.org"))
	l.address.OnSubmitted = func(string) {
		if l.password.Text == "" {
			l.win.Canvas().Focus(l.password)
			return
		}
		l.submit()
	}
	l.address.OnChanged = func(string) {
		if l.addressMsg.Visible() {
			l.checkAddress()
		}
	}
	l.password = widgets.NewEntry(l.escape)
	l.password.Password = true
	l.password.OnSubmitted = func(string) { l.submit() }
	l.password.OnChanged = func(s string) {
		if s != "" {
			l.setMessage(l.passwordMsg, "")
		}
	}
	l.remember = widgets.NewCheck(lang.L("Remember password"), l.escape)
	l.remember.SetChecked(true)

	l.host = widgets.NewEntry(l.escape)
	l.host.SetPlaceHolder(lang.L("Automatic"))
	l.host.OnSubmitted = func(string) { l.submit() }
	l.host.OnChanged = func(string) { l.setMessage(l.hostMsg, "") }
	l.port = widgets.NewEntry(l.escape)
	l.port.Digits = true
	l.port.SetPlaceHolder("5222")
	l.port.OnSubmitted = func(string) { l.submit() }
	l.port.OnChanged = func(string) {
		if l.portMsg.Visible() {
			l.checkPort()
		}
	}
	l.resource = widgets.NewEntry(l.escape)
	l.resource.SetPlaceHolder(lang.L("Automatic"))
	l.resource.OnSubmitted = func(string) { l.submit() }
	l.resource.OnChanged = func(string) { l.setMessage(l.resMsg, "") }
	l.directTLS = widgets.NewCheck(lang.L("Connect with TLS from the start (direct TLS, port 5223)"), l.escape)
	l.directTLS.OnChanged = func(on bool) {
		if on {
			l.port.SetPlaceHolder("5223")
		} else {
			l.port.SetPlaceHolder("5222")
		}
	}

	l.addressMsg = loginMessageLabel(widget.DangerImportance)
	l.passwordMsg = loginMessageLabel(widget.DangerImportance)
	l.hostMsg = loginMessageLabel(widget.DangerImportance)
	l.portMsg = loginMessageLabel(widget.DangerImportance)
	l.resMsg = loginMessageLabel(widget.DangerImportance)
	l.notice = loginMessageLabel(widget.WarningImportance)
	l.errorText = loginMessageLabel(widget.DangerImportance)
	l.status = loginMessageLabel(widget.MediumImportance)
	l.progress = widget.NewProgressBarInfinite()
	l.progress.Hide()

	l.advanced = widget.NewAccordion(widget.NewAccordionItem(lang.L("Advanced"), container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Server host")), container.NewVBox(l.host, l.hostMsg),
			widget.NewLabel(lang.L("Port")), container.NewVBox(l.port, l.portMsg),
			widget.NewLabel(lang.L("Resource")), container.NewVBox(l.resource, l.resMsg),
		),
		l.directTLS,
	)))

	l.signIn = widget.NewButton(lang.L("Sign in"), l.submit)
	l.signIn.Importance = widget.HighImportance
	l.back = widget.NewButton(lang.L("Back"), l.escape)

	title := widget.NewLabel(lang.L("Sign in to your XMPP account"))
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.SizeName = theme.SizeNameSubHeadingText
	form := container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Address")), container.NewVBox(l.address, l.addressMsg),
			widget.NewLabel(lang.L("Password")), container.NewVBox(l.password, l.passwordMsg),
			layout.NewSpacer(), l.remember,
		),
		l.advanced,
		l.notice,
		l.progress,
		l.status,
		l.errorText,
	)
	l.signInView = container.NewBorder(title,
		container.NewHBox(l.back, layout.NewSpacer(), l.signIn),
		nil, nil, container.NewVScroll(form))
}

func loginMessageLabel(imp widget.Importance) *widget.Label {
	m := widget.NewLabel("")
	m.Importance = imp
	m.Wrapping = fyne.TextWrapWord
	m.Hide()
	return m
}

// setMessage shows text under a field, or hides the label when text is
// "", and lays the sign-in view out again.
func (l *loginWindow) setMessage(m *widget.Label, text string) {
	setFieldMessage(m, text, l.signInView)
}

func (l *loginWindow) showWelcome() {
	l.onSignInView = false
	l.win.SetContent(l.welcome)
	l.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && l.win.Canvas().Overlays().Top() == nil {
			l.showSignIn()
		}
	})
}

func (l *loginWindow) showSignIn() {
	l.onSignInView = true
	l.win.SetContent(l.signInView)
	l.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			l.escape()
		}
	})
	l.refresh()
	l.win.Canvas().Focus(l.address)
}

func (l *loginWindow) createAccount() { l.showSignup() }

// refresh enables the form when nothing is in progress.
func (l *loginWindow) refresh() {
	editable := l.phase == loginIdle && l.busy == 0 && !l.closing
	for _, e := range []*widgets.Entry{l.address, l.password, l.host, l.port, l.resource} {
		if editable {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	for _, c := range []*widgets.Check{l.remember, l.directTLS} {
		if editable {
			c.Enable()
		} else {
			c.Disable()
		}
	}
	if editable {
		l.signIn.Enable()
	} else {
		l.signIn.Disable()
	}
	if l.phase == loginConnecting || l.phase == loginTrusting {
		l.back.SetText(lang.L("Cancel"))
	} else {
		l.back.SetText(lang.L("Back"))
	}
	showing := l.progress.Visible()
	if l.phase == loginConnecting || l.phase == loginTrusting || l.phase == loginDone {
		if !showing {
			l.progress.Show()
			l.progress.Start()
			l.signInView.Refresh()
		}
	} else {
		if showing {
			l.progress.Stop()
			l.progress.Hide()
			l.signInView.Refresh()
		}
		l.setMessage(l.status, "")
	}
}

// escape is Back (idle) or Cancel (connecting).
func (l *loginWindow) escape() {
	if !l.onSignInView || l.closing {
		return
	}
	switch l.phase {
	case loginConnecting:
		l.cancelAttempt()
	case loginIdle:
		l.goBack()
	}
}

// goBack returns to the welcome view, removing an account that was added
// by a failed sign-in.
func (l *loginWindow) goBack() {
	l.setMessage(l.errorText, "")
	l.setMessage(l.notice, "")
	for _, m := range []*widget.Label{l.addressMsg, l.passwordMsg, l.hostMsg, l.portMsg, l.resMsg} {
		l.setMessage(m, "")
	}
	l.forget(nil)
	l.showWelcome()
}

// forget removes the half-made account (in the background), then runs
// then (may be nil).
func (l *loginWindow) forget(then func()) {
	jid := l.created
	if jid == "" {
		if then != nil {
			then()
		}
		return
	}
	l.created = ""
	c := l.app.Client
	l.run(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		return c.RemoveAccount(ctx, jid, true)
	}, func(error) {
		if then != nil {
			then()
		}
	})
}

// cancelAttempt stops a sign-in in progress.
func (l *loginWindow) cancelAttempt() {
	l.phase = loginIdle
	l.stopSession(l.jid)
	l.refresh()
	l.win.Canvas().Focus(l.password)
}

// stopSession disconnects an account's session in the background.
func (l *loginWindow) stopSession(jid string) {
	c := l.app.Client
	l.run(func() error {
		if s, ok := c.Session(jid); ok {
			s.Disconnect()
		}
		return nil
	}, nil)
}

// run is a.background that keeps the form disabled while work runs. Jobs
// run one after the other, in the order they were started: a cancel never
// overtakes the sign-in it cancels.
func (l *loginWindow) run(work func() error, done func(error)) {
	l.busy++
	l.refresh()
	l.app.background(l.chain(work), func(err error) {
		l.busy--
		if done != nil {
			done(err)
		}
		l.refresh()
		if l.closing && l.busy == 0 && !l.closeJob {
			l.finishClose()
		}
	})
}

// closeRequested: the person closes the window. Once background work is
// done, a half-made account is removed (off the UI goroutine), or a sign-in
// in progress stopped, and the window goes.
func (l *loginWindow) closeRequested() {
	if l.closing {
		return
	}
	l.closing = true
	l.refresh()
	if l.busy == 0 {
		l.finishClose()
	}
}

// chain makes work wait for the job started before it.
func (l *loginWindow) chain(work func() error) func() error {
	prev := l.last
	next := make(chan struct{})
	l.last = next
	return func() error {
		defer close(next)
		if prev != nil {
			<-prev
		}
		return work()
	}
}

func (l *loginWindow) finishClose() {
	jid, created := l.jid, l.created
	active := l.phase == loginConnecting || l.phase == loginTrusting
	l.created = ""
	c := l.app.Client
	l.closeJob = true
	l.app.background(l.chain(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		if created != "" {
			return c.RemoveAccount(ctx, created, true)
		}
		if active && jid != "" {
			if s, ok := c.Session(jid); ok {
				s.Disconnect()
			}
		}
		return nil
	}), func(error) { l.win.Close() })
}

// checkAddress validates the address field and says what is wrong under
// it. It returns the normalised bare JID.
func (l *loginWindow) checkAddress() (string, bool) {
	jid := strings.TrimSpace(l.address.Text)
	msg := loginAddressProblem(jid)
	l.setMessage(l.addressMsg, msg)
	return account.NormalizeJID(jid), msg == ""
}

// loginAddressProblem explains what is wrong with a typed address ("" if fine).
func loginAddressProblem(jid string) string {
	if jid == "" {
		return lang.L("Type your address, for example name@example.org.")
	}
	if core.ValidateJID(jid) == nil && account.ValidateJID(jid) == nil {
		return ""
	}
	switch {
	case strings.ContainsAny(jid, " \t\r\n"):
		return lang.L("An address cannot contain spaces.")
	case !strings.Contains(jid, "@") || strings.HasPrefix(jid, "@"):
		return lang.L("An address has a name, an @ and a server, for example name@example.org.")
	case strings.HasSuffix(jid, "@"):
		return lang.L("Add the server after the @, for example name@example.org.")
	case strings.Contains(jid, "/"):
		return lang.L("Type the address without the part after /. A resource can be set in Advanced.")
	}
	return lang.L("This is not a valid address. An address looks like name@example.org.")
}

func (l *loginWindow) checkPort() (int, bool) {
	p, problem := parsePort(l.port.Text)
	l.setMessage(l.portMsg, problem)
	return p, problem == ""
}

// collect validates the form and builds the account; messages go under
// the fields that are wrong.
func (l *loginWindow) collect() (account.Account, bool) {
	jid, ok := l.checkAddress()
	if l.password.Text == "" {
		l.setMessage(l.passwordMsg, lang.L("Type your password."))
		ok = false
	} else {
		l.setMessage(l.passwordMsg, "")
	}
	port, portOK := l.checkPort()
	acct := account.Account{
		JID:              jid,
		Host:             strings.TrimSpace(l.host.Text),
		Port:             port,
		Resource:         strings.TrimSpace(l.resource.Text),
		TLSMode:          account.TLSStartTLS,
		RememberPassword: l.remember.Checked,
		AutoConnect:      true,
	}
	if l.directTLS.Checked {
		acct.TLSMode = account.TLSDirect
	}
	l.setMessage(l.hostMsg, "")
	l.setMessage(l.resMsg, "")
	var ve *account.ValidationError
	if ok && portOK && errors.As(acct.Validate(), &ve) {
		switch ve.Field {
		case "Host":
			l.setMessage(l.hostMsg, lang.L("This is not a valid server name or IP address."))
		case "Resource":
			l.setMessage(l.resMsg, lang.L("The resource is too long or contains control characters."))
		case "JID":
			l.setMessage(l.addressMsg, lang.L("This is not a valid address. An address looks like name@example.org."))
		default:
			l.setMessage(l.errorText, lang.L("These settings are not valid. Check the Advanced section."))
		}
		ok = false
	}
	if (!portOK || l.hostMsg.Visible() || l.resMsg.Visible()) && !l.advanced.Items[0].Open {
		l.advanced.Open(0)
	}
	return acct, ok && portOK
}

// submit starts signing in: the account is saved and its session
// connected off the UI goroutine; handle follows the session's events.
func (l *loginWindow) submit() {
	if l.phase != loginIdle || l.busy > 0 || l.closing || !l.onSignInView {
		return
	}
	l.setMessage(l.errorText, "")
	l.setMessage(l.notice, "")
	acct, ok := l.collect()
	if !ok {
		switch {
		case l.addressMsg.Visible():
			l.win.Canvas().Focus(l.address)
		case l.passwordMsg.Visible():
			l.win.Canvas().Focus(l.password)
		case l.hostMsg.Visible():
			l.win.Canvas().Focus(l.host)
		case l.portMsg.Visible():
			l.win.Canvas().Focus(l.port)
		case l.resMsg.Visible():
			l.win.Canvas().Focus(l.resource)
		}
		return
	}
	password := l.password.Text
	l.phase = loginConnecting
	l.jid = acct.JID
	l.sawConnecting = false
	l.keyringFailed = false
	l.setMessage(l.status, lang.L("Connecting to {{.Server}}…", map[string]any{"Server": loginDomain(acct.JID)}))

	c := l.app.Client
	prev := l.created
	l.created = ""
	var created, keyringFailed bool
	l.run(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), loginTimeout)
		defer cancel()
		if prev != "" && prev != acct.JID {
			// An earlier failed attempt with another address.
			_ = c.RemoveAccount(ctx, prev, true)
		}
		old, existed := c.Session(acct.JID)
		if existed {
			// A previous attempt's session: stop it, keep its pins.
			old.Disconnect()
			acct.Pinned = old.Account().Pinned
			acct.Priority = old.Account().Priority
			acct.DisplayName = old.Account().DisplayName
		}
		s, err := c.AddAccount(ctx, acct, password)
		if s == nil {
			return err
		}
		created = !existed || prev == acct.JID
		if err != nil {
			// The account works for this run; the password is not saved.
			keyringFailed = true
			a := s.Account()
			a.RememberPassword = false
			if err := c.UpdateAccount(a); err != nil {
				return err
			}
		}
		s.Connect()
		return nil
	}, func(err error) {
		if created && l.phase != loginDone {
			l.created = acct.JID
		}
		if keyringFailed && l.phase == loginDone {
			// Signed in before this callback ran: the window is gone.
			l.notifyKeyring()
		} else if keyringFailed {
			l.keyringFailed = true
			l.remember.SetChecked(false)
			l.setMessage(l.notice, lang.L("The system keyring is unavailable: the password was not saved; you will type it next time."))
		}
		if err != nil && l.phase == loginConnecting {
			// The account could not even be saved.
			l.phase = loginIdle
			l.setMessage(l.errorText, lang.L("Causerie could not save the account on this computer. Check that your configuration folder can be written to, then try again."))
		}
	})
}

// loginDomain is the server part of an account's address, for messages.
func loginDomain(jid string) string {
	if j, err := core.ParseJID(jid); err == nil {
		return j.Domain()
	}
	return jid
}

// handle follows the session being signed in (on Fyne's goroutine).
func (l *loginWindow) handle(e core.Event) {
	st, ok := e.(core.ConnectionStateChanged)
	if !ok || st.Account != l.jid || l.phase != loginConnecting || l.closing {
		return
	}
	switch {
	case st.State == core.StateConnecting:
		l.sawConnecting = true
	case st.State == core.StateOnline:
		l.signedIn()
	case st.Err != nil && l.sawConnecting && (st.State == core.StateOffline || st.State == core.StateReconnecting):
		l.failed(st)
	}
}

// signedIn closes the window and opens the main window.
func (l *loginWindow) signedIn() {
	l.phase = loginDone
	l.created = ""
	l.refresh()
	if l.trust != nil {
		l.trust.Hide()
		l.trust = nil
	}
	if l.keyringFailed {
		l.notifyKeyring()
	}
	a := l.app
	if a.login == l {
		a.login = nil
	}
	a.ShowMain() // before closing: closing the last window quits
	l.win.Close()
}

// notifyKeyring tells, as a desktop notification (the login window is
// closing), that the password was not saved.
func (l *loginWindow) notifyKeyring() {
	l.app.FyneApp.SendNotification(fyne.NewNotification(lang.L("Password not saved"),
		lang.L("The system keyring is unavailable: the password was not saved; you will type it next time.")))
}

// failed: the first sign-in did not work. Stop retrying, explain, and
// let the person fix the form (or trust the certificate).
func (l *loginWindow) failed(st core.ConnectionStateChanged) {
	if st.State == core.StateReconnecting {
		// Retrying cannot help a first sign-in: the person fixes the form.
		l.stopSession(st.Account)
	}
	if ce, ok := core.CertificateOf(st.Err); ok && st.State == core.StateOffline {
		l.askTrust(st.Account, ce, st.Err)
		return
	}
	l.phase = loginIdle
	l.setMessage(l.errorText, Explain(st.Err))
	l.refresh()
	switch core.Classify(st.Err) {
	case core.ProblemWrongPassword, core.ProblemPasswordNeeded, core.ProblemKeyring:
		l.win.Canvas().Focus(l.password)
	case core.ProblemInvalidAddress:
		l.win.Canvas().Focus(l.address)
	}
}

// askTrust asks whether to trust (pin) the server's certificate for this
// account: trust on first use, or a certificate that changed since it was
// pinned (the dialog then shows the old fingerprints too).
func (l *loginWindow) askTrust(jid string, ce core.UntrustedCertificate, cause error) {
	l.phase = loginTrusting
	l.refresh()
	fp := ce.Fingerprint
	l.trustFingerprint = fp
	domain := ce.Domain
	if domain == "" {
		domain = loginDomain(jid)
	}
	l.trust = showCertificateDialog(l.win, domain, fp, ce.Pinned, func(trust bool) {
		l.trust = nil
		if l.phase != loginTrusting {
			return
		}
		if !trust {
			l.phase = loginIdle
			l.setMessage(l.errorText, Explain(cause))
			l.refresh()
			return
		}
		l.trustCertificate(jid, fp)
	})
}

// trustCertificate pins fp for the account, in place of any earlier pin,
// and connects again.
func (l *loginWindow) trustCertificate(jid, fp string) {
	l.phase = loginConnecting
	l.sawConnecting = false
	l.setMessage(l.status, lang.L("Connecting to {{.Server}}…", map[string]any{"Server": loginDomain(jid)}))
	c := l.app.Client
	l.run(func() error {
		s, ok := c.Session(jid)
		if !ok {
			return core.ErrNotConnected
		}
		s.Disconnect() // make sure the failed attempt has stopped
		if err := c.TrustCertificate(jid, fp); err != nil {
			return err
		}
		s.Connect()
		return nil
	}, func(err error) {
		if err != nil && l.phase == loginConnecting {
			l.phase = loginIdle
			l.setMessage(l.errorText, lang.L("Causerie could not save the account on this computer. Check that your configuration folder can be written to, then try again."))
		}
	})
}
