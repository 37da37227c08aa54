package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/ui/widgets"
)

// signupTimeout bounds each network step of the sign-up.
const signupTimeout = 30 * time.Second

// signupWizard is the sign-up wizard (XEP-0077), shown in the welcome
// window: 1. the server, 2. what the server asks for, 3. the submission.
// Every field is touched only on Fyne's goroutine; network work runs in
// a.background.
type signupWizard struct {
	l   *loginWindow
	app *App

	step int // 1 or 2
	busy bool
	gen  int // the current background attempt; stale results are dropped
	stop context.CancelFunc

	// Step 1.
	domain, host, port *widgets.Entry
	directTLS          *widgets.Check
	advanced           *widget.Accordion
	domainMsg, portMsg *widget.Label
	pinned             []string
	trust              dialog.Dialog

	// Shared.
	title              *widget.Label
	body               *fyne.Container
	status, errorText  *widget.Label
	progress           *widget.ProgressBarInfinite
	next, back         *widget.Button
	view               fyne.CanvasObject
	session            *core.Signup
	form               core.SignupForm
	server, serverHost string
	serverPort         int
	serverDirect       bool

	// Step 2: the inputs by field name (or var), in order.
	values               map[string]func() string
	entries              map[string]*widgets.Entry
	required             map[string]string // name -> label, for required fields
	inputs               []fyne.Disableable
	passName             string // the password field's name ("" if none)
	confirm              *widgets.Entry
	confirmMsg, strength *widget.Label
	remember             *widgets.Check
}

// showSignup opens the wizard in the welcome window.
func (l *loginWindow) showSignup() {
	w := &signupWizard{l: l, app: l.app}
	w.build()
	w.showServer()
	l.onSignInView = false
	l.win.SetContent(w.view)
	l.win.SetCloseIntercept(func() {
		w.closeSession()
		l.closeRequested()
	})
	l.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape && l.win.Canvas().Overlays().Top() == nil {
			w.goBack()
		}
	})
	l.signup = w
	l.win.Canvas().Focus(w.domain)
}

func (w *signupWizard) build() {
	w.title = widget.NewLabel("")
	w.title.TextStyle = fyne.TextStyle{Bold: true}
	w.title.SizeName = theme.SizeNameSubHeadingText
	w.status = loginMessageLabel(widget.MediumImportance)
	w.errorText = loginMessageLabel(widget.DangerImportance)
	w.progress = widget.NewProgressBarInfinite()
	w.progress.Stop()
	w.progress.Hide()
	w.next = widget.NewButton(lang.L("Next"), w.submit)
	w.next.Importance = widget.HighImportance
	w.back = widget.NewButton(lang.L("Back"), w.goBack)
	w.body = container.NewVBox()

	w.domain = widgets.NewEntry(w.goBack)
	w.domain.SetPlaceHolder(lang.L("example.org"))
	w.domain.OnSubmitted = func(string) { w.submit() }
	w.domain.OnChanged = func(string) { w.setMessage(w.domainMsg, "") }
	w.host = widgets.NewEntry(w.goBack)
	w.host.SetPlaceHolder(lang.L("Automatic"))
	w.host.OnSubmitted = func(string) { w.submit() }
	w.port = widgets.NewEntry(w.goBack)
	w.port.Digits = true
	w.port.SetPlaceHolder("5222")
	w.port.OnSubmitted = func(string) { w.submit() }
	w.port.OnChanged = func(string) { w.setMessage(w.portMsg, "") }
	w.directTLS = widgets.NewCheck(lang.L("Connect with TLS from the start (direct TLS, port 5223)"), w.goBack)
	w.directTLS.OnChanged = func(on bool) {
		if on {
			w.port.SetPlaceHolder("5223")
		} else {
			w.port.SetPlaceHolder("5222")
		}
	}
	w.domainMsg = loginMessageLabel(widget.DangerImportance)
	w.portMsg = loginMessageLabel(widget.DangerImportance)
	w.advanced = widget.NewAccordion(widget.NewAccordionItem(lang.L("Advanced"), container.NewVBox(
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Server host")), w.host,
			widget.NewLabel(lang.L("Port")), container.NewVBox(w.port, w.portMsg),
		),
		w.directTLS,
	)))

	w.view = container.NewBorder(w.title,
		container.NewHBox(w.back, layout.NewSpacer(), w.next),
		nil, nil, container.NewVScroll(container.NewVBox(w.body, w.progress, w.status, w.errorText)))
}

func (w *signupWizard) setMessage(m *widget.Label, text string) {
	setFieldMessage(m, text, w.view)
}

// showServer is step 1: the server to create the account on.
func (w *signupWizard) showServer() {
	w.step = 1
	w.title.SetText(lang.L("Create an XMPP account"))
	intro := widget.NewLabel(lang.L("Choose a server that accepts new accounts. Your address will be name@server."))
	intro.Wrapping = fyne.TextWrapWord
	w.body.Objects = []fyne.CanvasObject{
		intro,
		container.New(layout.NewFormLayout(),
			widget.NewLabel(lang.L("Server")), container.NewVBox(w.domain, w.domainMsg)),
		w.advanced,
	}
	w.body.Refresh()
	w.next.SetText(lang.L("Next"))
	w.setMessage(w.errorText, "")
	w.refresh()
}

// refresh enables the inputs when nothing runs and shows the progress.
func (w *signupWizard) refresh() {
	objs := []fyne.Disableable{w.domain, w.host, w.port, w.directTLS}
	if w.step == 2 {
		objs = w.inputs
	}
	for _, o := range objs {
		if w.busy {
			o.Disable()
		} else {
			o.Enable()
		}
	}
	if w.busy || (w.step == 2 && !w.canSubmit()) {
		w.next.Disable()
	} else {
		w.next.Enable()
	}
	if w.busy {
		w.back.SetText(lang.L("Cancel"))
		if !w.progress.Visible() {
			w.progress.Show()
			w.progress.Start()
		}
	} else {
		w.back.SetText(lang.L("Back"))
		if w.progress.Visible() {
			w.progress.Stop()
			w.progress.Hide()
		}
		w.setMessage(w.status, "")
	}
	w.view.Refresh()
}

// canSubmit: step 2 has something to send in-band.
func (w *signupWizard) canSubmit() bool {
	return w.form.Form != nil || len(w.form.Fields) > 0
}

// goBack cancels what runs, or goes one step back.
func (w *signupWizard) goBack() {
	l := w.l
	if l.signup != w {
		return
	}
	if w.busy {
		w.gen++
		if w.stop != nil {
			w.stop()
		}
		w.busy = false
		w.refresh()
		return
	}
	if w.step == 2 {
		w.closeSession()
		w.showServer()
		l.win.Canvas().Focus(w.domain)
		return
	}
	w.closeSession()
	l.signup = nil
	l.win.SetCloseIntercept(l.closeRequested)
	l.showWelcome()
}

// closeSession ends the registration stream in the background.
func (w *signupWizard) closeSession() {
	if s := w.session; s != nil {
		w.session = nil
		go s.Close()
	}
}

func (w *signupWizard) submit() {
	if w.busy || w.l.signup != w {
		return
	}
	if w.step == 1 {
		w.connect()
	} else {
		w.create()
	}
}

// checkServer validates step 1.
func (w *signupWizard) checkServer() (domain, host string, port int, ok bool) {
	domain = strings.ToLower(strings.TrimSpace(w.domain.Text))
	host = strings.TrimSpace(w.host.Text)
	ok = true
	switch {
	case domain == "":
		w.setMessage(w.domainMsg, lang.L("Type the server's name, for example example.org."))
		ok = false
	case strings.ContainsAny(domain, "@/ \t"):
		w.setMessage(w.domainMsg, lang.L("Type only the server's name, for example example.org, without a name or @."))
		ok = false
	case (account.Account{JID: "x@" + domain, Host: host}).Validate() != nil:
		w.setMessage(w.domainMsg, lang.L("This is not a valid server name."))
		ok = false
	}
	port, problem := parsePort(w.port.Text)
	if problem != "" {
		w.setMessage(w.portMsg, problem)
		if !w.advanced.Items[0].Open {
			w.advanced.Open(0)
		}
		return domain, host, 0, false
	}
	return domain, host, port, ok
}

// connect is "Next" on step 1: connect without signing in and fetch the
// registration form, off the UI goroutine.
func (w *signupWizard) connect() {
	domain, host, port, ok := w.checkServer()
	if !ok {
		w.l.win.Canvas().Focus(w.domain)
		return
	}
	direct := w.directTLS.Checked
	if domain != w.server {
		w.pinned = nil
	}
	w.server, w.serverHost, w.serverPort, w.serverDirect = domain, host, port, direct
	w.setMessage(w.errorText, "")
	w.setMessage(w.status, lang.L("Connecting to {{.Server}}…", map[string]any{"Server": domain}))
	w.busy = true
	w.gen++
	gen := w.gen
	ctx, cancel := context.WithTimeout(context.Background(), signupTimeout)
	w.stop = cancel
	w.refresh()
	c := w.app.Client
	pinned := w.pinned
	var s *core.Signup
	w.app.background(func() error {
		defer cancel()
		var err error
		s, err = c.StartSignup(ctx, domain, host, port, direct, pinned...)
		return err
	}, func(err error) {
		if gen != w.gen || w.l.signup != w || w.l.closing {
			if s != nil {
				go s.Close()
			}
			return
		}
		w.busy = false
		if err != nil {
			if ce, ok := core.CertificateOf(err); ok {
				w.refresh()
				w.askTrust(ce, err)
				return
			}
			w.setMessage(w.errorText, signupExplain(err, ""))
			w.refresh()
			return
		}
		w.session = s
		w.showForm(s.Form())
	})
}

// askTrust asks whether to trust the server's certificate, as sign-in does.
func (w *signupWizard) askTrust(ce core.UntrustedCertificate, cause error) {
	fp := ce.Fingerprint
	domain := ce.Domain
	if domain == "" {
		domain = w.server
	}
	w.trust = showTrustDialog(w.l.win, domain, fp, func(trust bool) {
		w.trust = nil
		if w.l.signup != w || w.step != 1 {
			return
		}
		if !trust {
			w.setMessage(w.errorText, Explain(cause))
			return
		}
		w.pinned = append(w.pinned, fp)
		w.connect()
	})
}

// signupLabel is a field's label, "*" marking a required one.
func signupLabel(text string, required bool) *widget.Label {
	if required {
		text += " *"
	}
	// No wrapping: in a form's label column a wrapping label shrinks to one
	// character per line.
	return widget.NewLabel(text)
}

// showForm is step 2: exactly what the server asks for.
func (w *signupWizard) showForm(f core.SignupForm) {
	w.step = 2
	w.form = f
	w.values = map[string]func() string{}
	w.entries = map[string]*widgets.Entry{}
	w.required = map[string]string{}
	w.inputs = nil
	w.passName = ""
	w.confirm = nil
	w.title.SetText(lang.L("Create an account on {{.Server}}", map[string]any{"Server": f.Domain}))

	var objs []fyne.CanvasObject
	if f.Instructions != "" {
		in := widget.NewLabel(f.Instructions)
		in.Wrapping = fyne.TextWrapWord
		objs = append(objs, in)
	}
	grid := container.New(layout.NewFormLayout())
	add := func(label fyne.CanvasObject, input fyne.CanvasObject) {
		grid.Objects = append(grid.Objects, label, input)
	}
	if f.Form != nil {
		w.buildDataForm(f, add)
	} else {
		for _, fl := range f.Fields {
			if fl.Hidden {
				continue
			}
			e := w.textEntry(fl.Name, fl.Secret)
			e.SetText(fl.Value)
			label := signupFieldLabel(fl)
			if fl.Name == "username" || fl.Name == "password" {
				w.required[fl.Name] = label
			}
			add(signupLabel(label, fl.Name == "username" || fl.Name == "password"), w.withConfirm(fl.Name, fl.Secret, e))
		}
	}
	if len(grid.Objects) > 0 {
		objs = append(objs, grid)
	}
	if f.OOB != "" {
		msg := lang.L("You can also create an account on the server's web site:")
		if !w.canSubmit() {
			msg = lang.L("This server creates accounts on its web site. Open this page, then come back and sign in:")
		}
		ml := widget.NewLabel(msg)
		ml.Wrapping = fyne.TextWrapWord
		objs = append(objs, ml)
		if u, err := url.Parse(f.OOB); err == nil {
			objs = append(objs, widget.NewHyperlink(f.OOB, u))
		} else {
			objs = append(objs, widget.NewLabel(f.OOB))
		}
	}
	if w.canSubmit() {
		w.remember = widgets.NewCheck(lang.L("Remember password"), w.goBack)
		w.remember.SetChecked(true)
		w.inputs = append(w.inputs, w.remember)
		objs = append(objs, w.remember)
	}
	w.body.Objects = objs
	w.body.Refresh()
	w.next.SetText(lang.L("Create"))
	w.setMessage(w.errorText, "")
	w.refresh()
	if e := w.entries[w.firstEntry()]; e != nil {
		w.l.win.Canvas().Focus(e)
	}
}

// firstEntry is the name of the first text input shown.
func (w *signupWizard) firstEntry() string {
	if w.form.Form != nil {
		for _, fl := range w.form.Form.Fields {
			if w.entries[fl.Var] != nil {
				return fl.Var
			}
		}
		return ""
	}
	for _, fl := range w.form.Fields {
		if w.entries[fl.Name] != nil {
			return fl.Name
		}
	}
	return ""
}

func (w *signupWizard) textEntry(name string, secret bool) *widgets.Entry {
	e := widgets.NewEntry(w.goBack)
	if secret {
		e.Password = true
	}
	e.OnSubmitted = func(string) { w.submit() }
	w.entries[name] = e
	w.values[name] = func() string { return e.Text }
	w.inputs = append(w.inputs, e)
	return e
}

// withConfirm adds the confirmation entry and strength hint under the
// password field (the first secret field).
func (w *signupWizard) withConfirm(name string, secret bool, e *widgets.Entry) fyne.CanvasObject {
	if !secret || w.passName != "" {
		return e
	}
	w.passName = name
	w.strength = loginMessageLabel(widget.MediumImportance)
	w.confirmMsg = loginMessageLabel(widget.DangerImportance)
	w.confirm = widgets.NewEntry(w.goBack)
	w.confirm.Password = true
	w.confirm.SetPlaceHolder(lang.L("Type the password again"))
	w.confirm.OnSubmitted = func(string) { w.submit() }
	w.confirm.OnChanged = func(string) { w.setMessage(w.confirmMsg, "") }
	e.OnChanged = func(s string) {
		w.setMessage(w.strength, signupStrength(s))
		w.setMessage(w.confirmMsg, "")
	}
	w.inputs = append(w.inputs, w.confirm)
	return container.NewVBox(e, w.strength, w.confirm, w.confirmMsg)
}

// buildDataForm renders an XEP-0004 form generically (formFields), the
// password field with its confirmation and the CAPTCHA with its field.
func (w *signupWizard) buildDataForm(f core.SignupForm, add func(label, input fyne.CanvasObject)) {
	ff := &formFields{values: w.values, required: w.required,
		input:     func(d fyne.Disableable) { w.inputs = append(w.inputs, d) },
		textEntry: w.textEntry,
		wrap: func(fl core.FormField, input fyne.CanvasObject, text *widgets.Entry) fyne.CanvasObject {
			if text != nil && fl.Kind == core.FieldTextPrivate {
				input = w.withConfirm(fl.Var, fl.Var == "password" || w.passName == "", text)
			}
			if fl.Var == f.CaptchaField && fl.Var != "" {
				input = container.NewVBox(w.captcha(f), input)
			}
			return input
		}}
	ff.build(f.Form, add)
}

// captcha shows an XEP-0158 challenge: the image, or a link to it.
func (w *signupWizard) captcha(f core.SignupForm) fyne.CanvasObject {
	if len(f.Captcha) > 0 {
		img := canvas.NewImageFromResource(fyne.NewStaticResource("captcha", f.Captcha))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(240, 80))
		return img
	}
	if f.CaptchaUnreadable {
		l := widget.NewLabel(lang.L("The server's challenge picture cannot be shown (too large, or not a picture). Try again later, or choose another server."))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.DangerImportance
		return l
	}
	if u, err := url.Parse(f.CaptchaURL); err == nil && f.CaptchaURL != "" {
		return container.NewVBox(widget.NewLabel(lang.L("Open this image and type what it shows:")), widget.NewHyperlink(f.CaptchaURL, u))
	}
	return layout.NewSpacer()
}

// signupStrength is a short hint on how guessable a password is.
func signupStrength(p string) string {
	if p == "" {
		return ""
	}
	classes := 0
	var lower, upper, digit, other bool
	for _, r := range p {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	n := len([]rune(p))
	switch {
	case n < 8:
		return lang.L("Weak password: use at least 8 characters, better 12 or more.")
	case n >= 14 || (n >= 10 && classes >= 3):
		return lang.L("Strong password.")
	default:
		return lang.L("Fair password: a longer one is harder to guess.")
	}
}

// create is step 3: check, submit, then add the account and sign in.
func (w *signupWizard) create() {
	if !w.canSubmit() {
		return
	}
	w.setMessage(w.errorText, "")
	values := map[string]string{}
	for name, get := range w.values {
		values[name] = get()
	}
	for _, name := range w.order() {
		if label, ok := w.required[name]; ok && strings.TrimSpace(values[name]) == "" {
			w.setMessage(w.errorText, lang.L("Fill in “{{.Field}}”.", map[string]any{"Field": label}))
			if e := w.entries[name]; e != nil {
				w.l.win.Canvas().Focus(e)
			}
			return
		}
	}
	if w.passName != "" && w.confirm != nil && values[w.passName] != w.confirm.Text {
		w.setMessage(w.confirmMsg, lang.L("The two passwords are not the same. Type the password again."))
		w.l.win.Canvas().Focus(w.confirm)
		return
	}
	username := strings.TrimSpace(values["username"])
	values["username"] = username
	jid := account.NormalizeJID(username + "@" + w.form.Domain)
	if username == "" || account.ValidateJID(jid) != nil {
		w.setMessage(w.errorText, lang.L("This username cannot be used in an address. Use letters, digits, dots or dashes."))
		if e := w.entries["username"]; e != nil {
			w.l.win.Canvas().Focus(e)
		}
		return
	}
	password := values[w.passName]
	acct := account.Account{
		JID:              jid,
		Host:             w.serverHost,
		Port:             w.serverPort,
		TLSMode:          account.TLSStartTLS,
		Pinned:           w.pinned,
		RememberPassword: w.remember == nil || w.remember.Checked,
		AutoConnect:      true,
	}
	if w.serverDirect {
		acct.TLSMode = account.TLSDirect
	}

	w.setMessage(w.status, lang.L("Creating your account on {{.Server}}…", map[string]any{"Server": w.form.Domain}))
	w.busy = true
	w.gen++
	gen := w.gen
	ctx, cancel := context.WithTimeout(context.Background(), signupTimeout)
	w.stop = cancel
	w.refresh()
	s, c := w.session, w.app.Client
	var created, keyringFailed bool
	w.app.background(func() error {
		defer cancel()
		if err := s.Submit(ctx, values); err != nil {
			return err
		}
		created = true
		sess, err := c.AddAccount(ctx, acct, password)
		if sess == nil {
			return err
		}
		if err != nil {
			keyringFailed = true
			a := sess.Account()
			a.RememberPassword = false
			if err := c.UpdateAccount(a); err != nil {
				return err
			}
		}
		sess.Connect()
		s.Close()
		return nil
	}, func(err error) {
		stale := gen != w.gen || w.l.signup != w
		if stale && !created {
			return
		}
		w.busy = false
		if err != nil && !created {
			w.refresh()
			w.failed(err, username)
			return
		}
		if err != nil {
			// The account exists on the server but not on this computer.
			w.refresh()
			w.setMessage(w.errorText, lang.L("Your account {{.JID}} was created, but Causerie could not save it on this computer. Sign in with it from the welcome window.", map[string]any{"JID": jid}))
			return
		}
		w.done(keyringFailed)
	})
}

// order is the names of the inputs in the order they are shown.
func (w *signupWizard) order() []string {
	var out []string
	if w.form.Form != nil {
		for _, fl := range w.form.Form.Fields {
			out = append(out, fl.Var)
		}
		return out
	}
	for _, fl := range w.form.Fields {
		out = append(out, fl.Name)
	}
	return out
}

// failed explains a refused submission; everything typed stays.
func (w *signupWizard) failed(err error, username string) {
	w.setMessage(w.errorText, signupExplain(err, username))
	if errors.Is(err, core.ErrSignupConflict) {
		if e := w.entries["username"]; e != nil {
			w.l.win.Canvas().Focus(e)
		}
	}
}

// signupExplain says in words why the server refused.
func signupExplain(err error, username string) string {
	var text string
	var se *core.SignupError
	if errors.As(err, &se) {
		text = se.Text
	}
	with := func(s string) string {
		if text != "" {
			return s + "\n" + lang.L("The server says: {{.Text}}", map[string]any{"Text": text})
		}
		return s
	}
	switch {
	case errors.Is(err, core.ErrSignupConflict):
		return lang.L("The username “{{.Name}}” is already taken on this server. Try another one: what you typed is kept.", map[string]any{"Name": username})
	case errors.Is(err, core.ErrSignupNotAcceptable):
		return with(lang.L("The server did not accept this information. Check every field (some servers want a longer password or an email address) and try again."))
	case errors.Is(err, core.ErrSignupRateLimited):
		return with(lang.L("The server does not accept more new accounts for now. Try again later."))
	case errors.Is(err, core.ErrSignupNotAllowed):
		return with(lang.L("This server does not allow creating accounts from an app. Choose another server, or create the account on the server's web site."))
	case errors.Is(err, core.ErrSignupWebOnly):
		return lang.L("This server creates accounts on its web site only.")
	}
	return Explain(err)
}

// done: the account exists and is signing in; the main window takes over.
func (w *signupWizard) done(keyringFailed bool) {
	l := w.l
	l.signup = nil
	l.phase = loginDone
	if keyringFailed {
		l.notifyKeyring()
	}
	a := l.app
	if a.login == l {
		a.login = nil
	}
	a.ShowMain() // before closing: closing the last window quits
	l.win.Close()
}
