package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/xmpp"
)

// openSignup starts the app on first run and opens the wizard from the
// welcome window's "Create account" button.
func openSignup(t *testing.T, h *harness) (*loginWindow, *signupWizard) {
	t.Helper()
	l := startLogin(t, h)
	test.Tap(loginFindButton(t, l.win.Content(), "Create account"))
	w := l.signup
	if w == nil || w.step != 1 {
		t.Fatal("the sign-up wizard did not open")
	}
	return l, w
}

// signupServer types the test server on step 1 and goes to step 2.
func signupServer(t *testing.T, h *harness, l *loginWindow, w *signupWizard) {
	t.Helper()
	l.win.Canvas().Focus(w.domain)
	test.Type(w.domain, "example.test")
	w.advanced.Open(0)
	l.win.Canvas().Focus(w.host)
	test.Type(w.host, h.server.Host)
	l.win.Canvas().Focus(w.port)
	test.Type(w.port, strconv.Itoa(h.server.Port))
	test.Tap(loginFindButton(t, l.win.Content(), "Next"))
	if !w.busy || !w.progress.Visible() {
		t.Error("no progress while connecting")
	}
	h.pump("form", func() bool { return w.step == 2 && !w.busy || w.errorText.Visible() })
	if w.step != 2 {
		t.Fatalf("no form: %q", w.errorText.Text)
	}
	if w.entries["username"] == nil || w.entries["password"] == nil || w.confirm == nil {
		t.Fatalf("fields shown: %v", w.order())
	}
	if !w.entries["password"].Password || !w.confirm.Password {
		t.Error("password fields not hidden")
	}
}

func signupFill(l *loginWindow, w *signupWizard, user, pass, confirm string) {
	for name, text := range map[string]string{"username": user, "password": pass} {
		e := w.entries[name]
		e.SetText("")
		l.win.Canvas().Focus(e)
		test.Type(e, text)
	}
	w.confirm.SetText("")
	l.win.Canvas().Focus(w.confirm)
	test.Type(w.confirm, confirm)
}

func uniqueUser() string { return fmt.Sprintf("wiz%d", time.Now().UnixNano()) }

func TestSignupCreatesAccountOnProsody(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l, w := openSignup(t, h)
	signupServer(t, h, l, w)
	user, pass := uniqueUser(), "Correct-Horse-42"
	signupFill(l, w, user, pass, pass)
	if w.strength.Text != "Strong password." {
		t.Errorf("strength %q", w.strength.Text)
	}
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	h.pump("signed up", func() bool { return h.app.login == nil || w.errorText.Visible() })
	if w.errorText.Visible() {
		t.Fatalf("error: %q", w.errorText.Text)
	}
	jid := user + "@example.test"
	s, ok := h.client.Session(jid)
	if !ok {
		t.Fatalf("no account %s", jid)
	}
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })
	a := s.Account()
	if a.Host != srv.Host || a.Port != srv.Port || !a.AutoConnect {
		t.Errorf("account %+v", a)
	}
	if loginWindowOpen(h, l.win) || h.app.main == nil {
		t.Error("the main window did not take over")
	}
}

func TestSignupUsernameTaken(t *testing.T) {
	srv := prosody(t)
	taken, _ := srv.NewUser(t)
	user := taken[:strings.IndexByte(taken, '@')]
	h := newHarness(t, srv)
	l, w := openSignup(t, h)
	signupServer(t, h, l, w)
	signupFill(l, w, user, "Another-Pass-77", "Another-Pass-77")
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	h.pump("refused", func() bool { return w.errorText.Visible() && !w.busy })
	if !strings.Contains(w.errorText.Text, "already taken") || !strings.Contains(w.errorText.Text, user) {
		t.Errorf("error %q", w.errorText.Text)
	}
	if w.entries["username"].Text != user || w.entries["password"].Text != "Another-Pass-77" || w.confirm.Text != "Another-Pass-77" {
		t.Error("typed values lost")
	}
	if w.step != 2 || w.entries["username"].Disabled() || h.app.login != l {
		t.Error("form not editable again")
	}
	if len(h.client.Sessions()) != 0 {
		t.Error("an account was added")
	}
	// Another name works on the same form.
	w.entries["username"].SetText(uniqueUser())
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	h.pump("signed up", func() bool { return h.app.login == nil || (w.errorText.Visible() && !w.busy) })
	if h.app.login != nil {
		t.Fatalf("error: %q", w.errorText.Text)
	}
}

func TestSignupPasswordMismatch(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l, w := openSignup(t, h)
	signupServer(t, h, l, w)
	user := uniqueUser()
	signupFill(l, w, user, "Correct-Horse-42", "Correct-Horse-43")
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	if w.busy {
		t.Fatal("submitted with different passwords")
	}
	if !w.confirmMsg.Visible() || !strings.Contains(w.confirmMsg.Text, "not the same") {
		t.Errorf("message %q", w.confirmMsg.Text)
	}
	if l.win.Canvas().Focused() != w.confirm {
		t.Error("focus not on the confirmation")
	}
	h.drain()
	if len(h.client.Sessions()) != 0 {
		t.Error("an account was added")
	}
	// Back goes to step 1, then to the welcome view.
	test.Tap(loginFindButton(t, l.win.Content(), "Back"))
	if w.step != 1 {
		t.Error("Back did not return to the server step")
	}
	test.Tap(loginFindButton(t, l.win.Content(), "Back"))
	if l.signup != nil {
		t.Error("Back did not leave the wizard")
	}
}

func TestSignupTrustCertificate(t *testing.T) {
	srv := prosody(t)
	h := newUntrustingHarness(t, srv)
	l, w := openSignup(t, h)
	l.win.Canvas().Focus(w.domain)
	test.Type(w.domain, "example.test")
	w.host.SetText(srv.Host)
	w.port.SetText(strconv.Itoa(srv.Port))
	test.Tap(loginFindButton(t, l.win.Content(), "Next"))
	h.pump("trust question", func() bool { return w.trust != nil || w.errorText.Visible() })
	if w.trust == nil {
		t.Fatalf("no trust question: %q", w.errorText.Text)
	}
	test.Tap(loginFindButton(t, l.win.Canvas().Overlays().Top(), "Trust this certificate"))
	h.pump("form", func() bool { return w.step == 2 || w.errorText.Visible() })
	if w.step != 2 {
		t.Fatalf("error %q", w.errorText.Text)
	}
	if len(w.pinned) != 1 || w.pinned[0] != xmpp.FormatFingerprint(srv.CertSHA256) {
		t.Errorf("pinned %q", w.pinned)
	}
	user, pass := uniqueUser(), "Correct-Horse-42"
	signupFill(l, w, user, pass, pass)
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	h.pump("signed up", func() bool { return h.app.login == nil || (w.errorText.Visible() && !w.busy) })
	s, ok := h.client.Session(user + "@example.test")
	if !ok {
		t.Fatalf("no account: %q", w.errorText.Text)
	}
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })
}

// TestSignupDataFormRenderer renders a data form with every field type and
// a CAPTCHA image (no server: the form is a fixture).
func TestSignupDataFormRenderer(t *testing.T) {
	h := newHarness(t, nil)
	l, w := openSignup(t, h)
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	form := &core.DataForm{Fields: []core.FormField{
		{Var: "FORM_TYPE", Kind: core.FieldHidden, Values: []string{"jabber:iq:register"}},
		{Kind: core.FieldFixed, Values: []string{"Fill in this form."}},
		{Var: "username", Label: "User", Required: true},
		{Var: "password", Kind: core.FieldTextPrivate, Label: "Password", Required: true},
		{Var: "news", Kind: core.FieldBoolean, Label: "News", Values: []string{"1"}},
		{Var: "lang", Kind: core.FieldListSingle, Label: "Language", Options: []core.FieldOption{{Label: "English", Value: "en"}, {Label: "Français", Value: "fr"}}, Values: []string{"fr"}},
		{Var: "topics", Kind: core.FieldListMulti, Label: "Topics", Options: []core.FieldOption{{Value: "a"}, {Value: "b"}}},
		{Var: "buddy", Kind: core.FieldJIDSingle, Label: "Sponsor"},
		{Var: "ocr", Label: "Text in the image", Required: true},
	}}
	w.showForm(core.SignupForm{Domain: "example.test", Instructions: "Welcome aboard.", Form: form,
		Captcha: img.Bytes(), CaptchaType: "image/png", CaptchaField: "ocr"})
	labels := strings.Join(loginLabels(l.win.Content()), "|")
	for _, want := range []string{"Welcome aboard.", "Fill in this form.", "User *", "Password *", "News", "Language", "Topics", "Sponsor", "Text in the image *"} {
		if !strings.Contains(labels, want) {
			t.Errorf("label %q missing in %q", want, labels)
		}
	}
	if strings.Contains(labels, "FORM_TYPE") {
		t.Error("hidden field shown")
	}
	var images, checks, selects int
	for _, o := range test.LaidOutObjects(l.win.Content()) {
		switch o.(type) {
		case *canvas.Image:
			images++
		case *widget.Check:
			checks++
		case *widget.Select:
			selects++
		}
	}
	if images < 1 || checks < 3 || selects != 1 {
		t.Errorf("images %d checks %d selects %d", images, checks, selects)
	}
	if !w.entries["password"].Password || w.confirm == nil {
		t.Error("text-private not a password entry with confirmation")
	}
	if w.values["lang"]() != "fr" || w.values["news"]() != "1" || w.values["topics"]() != "" {
		t.Errorf("defaults lang=%q news=%q topics=%q", w.values["lang"](), w.values["news"](), w.values["topics"]())
	}
	// A required field left empty is named, nothing is sent.
	w.entries["username"].SetText("bob")
	w.entries["password"].SetText("Correct-Horse-42")
	w.confirm.SetText("Correct-Horse-42")
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	if w.busy || !strings.Contains(w.errorText.Text, "Text in the image") {
		t.Errorf("busy %v, error %q", w.busy, w.errorText.Text)
	}
	h.drain()
}
