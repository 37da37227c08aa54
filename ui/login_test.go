package ui

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/ui/widgets"
)

// startLogin starts the app on first run (no account): the login window.
func startLogin(t *testing.T, h *harness) *loginWindow {
	t.Helper()
	h.app.Start()
	l := h.app.login
	if l == nil {
		t.Fatal("first run did not show the login window")
	}
	return l
}

// loginFindButton finds a button by its text under o.
func loginFindButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// loginLabels returns the texts of the visible labels under o.
func loginLabels(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if l, ok := obj.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}

func (l *loginWindow) formEnabled() bool {
	return !l.address.Disabled() && !l.password.Disabled() && !l.signIn.Disabled() && !l.remember.Disabled()
}

func loginWindowOpen(h *harness, w fyne.Window) bool {
	return slices.Contains(h.fyne.Driver().AllWindows(), w)
}

// fillSignIn types the address and password and the test server's host
// and port in Advanced.
func fillSignIn(h *harness, l *loginWindow, jid, pass string) {
	l.typeIn(l.address, jid)
	l.typeIn(l.password, pass)
	l.advanced.Open(0)
	l.typeIn(l.host, h.server.Host)
	l.typeIn(l.port, strconv.Itoa(h.server.Port))
}

// typeIn focuses an entry through the canvas (as a click would) and types.
func (l *loginWindow) typeIn(e *widgets.Entry, text string) {
	l.win.Canvas().Focus(e)
	test.Type(e, text)
}

func TestLoginWelcomeRenders(t *testing.T) {
	h := newHarness(t, nil)
	l := startLogin(t, h)
	if got := l.win.Title(); got != "Causerie" {
		t.Errorf("title %q", got)
	}
	test.AssertRendersToMarkup(t, "login/welcome.xml", l.win.Canvas())
	test.AssertRendersToImage(t, "login/welcome.png", l.win.Canvas())

	// "Create account" opens the sign-up wizard; Back returns.
	test.Tap(loginFindButton(t, l.win.Content(), "Create account"))
	if l.signup == nil || l.signup.step != 1 {
		t.Fatal("Create account did not open the sign-up wizard")
	}
	test.Tap(loginFindButton(t, l.win.Content(), "Back"))
	if l.signup != nil {
		t.Fatal("Back did not leave the wizard")
	}

	// ShowLogin again does not open a second window.
	h.app.ShowLogin()
	n := 0
	for _, w := range h.fyne.Driver().AllWindows() {
		if w.Title() == "Causerie" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d login windows", n)
	}
}

// TestFirstWindowTaken: the window main makes early (to start the toolkit
// while the history opens) becomes the first window shown, the welcome
// window here, and no other is made; a later window is a new one.
func TestFirstWindowTaken(t *testing.T) {
	h := newHarness(t, nil)
	first := h.fyne.NewWindow("")
	h.app.FirstWindow = first
	before := len(h.fyne.Driver().AllWindows())
	h.app.Start()
	h.drain()
	if h.app.login == nil || h.app.login.win != first {
		t.Fatal("the welcome window was not made in FirstWindow")
	}
	if first.Title() != "Causerie" || h.app.FirstWindow != nil {
		t.Fatalf("title %q, FirstWindow still %v", first.Title(), h.app.FirstWindow)
	}
	if n := len(h.fyne.Driver().AllWindows()); n != before {
		t.Fatalf("%d windows, want %d", n, before)
	}
	if w := h.app.newWindow("Other"); w == first {
		t.Fatal("FirstWindow given twice")
	}
}

func TestLoginSignInViewAndKeyboard(t *testing.T) {
	h := newHarness(t, nil)
	l := startLogin(t, h)
	test.Tap(loginFindButton(t, l.win.Content(), "Sign in"))
	if !l.onSignInView {
		t.Fatal("not on the sign-in view")
	}
	if l.win.Canvas().Focused() != l.address {
		t.Errorf("focus on %T, want the address", l.win.Canvas().Focused())
	}
	if !l.remember.Checked {
		t.Error("Remember password is off by default")
	}
	if l.signIn.Importance != widget.HighImportance {
		t.Error("Sign in is not the default button")
	}
	if l.address.PlaceHolder != "name@example.org" {
		t.Errorf("placeholder %q", l.address.PlaceHolder)
	}
	test.AssertRendersToMarkup(t, "login/signin.xml", l.win.Canvas())

	l.advanced.Open(0)
	test.AssertRendersToMarkup(t, "login/signin_advanced.xml", l.win.Canvas())
	test.AssertRendersToImage(t, "login/signin_advanced.png", l.win.Canvas())
	test.Tap(l.directTLS)
	if l.port.PlaceHolder != "5223" {
		t.Errorf("direct TLS port placeholder %q", l.port.PlaceHolder)
	}

	// Escape in the password goes back to the welcome view.
	l.typeIn(l.password, "secret")
	l.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if l.onSignInView {
		t.Fatal("Escape did not go back")
	}
	// Enter on the welcome view signs in; Escape with no focus goes back.
	l.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !l.onSignInView {
		t.Fatal("Enter on the welcome view did not open the sign-in view")
	}
	l.win.Canvas().Unfocus()
	l.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if l.onSignInView {
		t.Fatal("Escape on the canvas did not go back")
	}
	h.drain()
}

func TestLoginMalformedAddress(t *testing.T) {
	h := newHarness(t, nil)
	l := startLogin(t, h)
	l.showSignIn()
	for _, tc := range []struct{ typed, want string }{
		{"", "Type your address, for example name@example.org."},
		{"alice", "An address has a name, an @ and a server, for example name@example.org."},
		{"alice@", "Add the server after the @, for example name@example.org."},
		{"al ice@example.org", "An address cannot contain spaces."},
		{"alice@example.org/home", "Type the address without the part after /. A resource can be set in Advanced."},
		{"a<b@example.org", "This is not a valid address. An address looks like name@example.org."},
	} {
		l.address.SetText(tc.typed)
		l.password.SetText("pw")
		test.Tap(l.signIn)
		if !l.addressMsg.Visible() || l.addressMsg.Text != tc.want {
			t.Errorf("%q: message %q (visible %v), want %q", tc.typed, l.addressMsg.Text, l.addressMsg.Visible(), tc.want)
		}
		if l.phase != loginIdle || l.busy != 0 || !l.formEnabled() {
			t.Errorf("%q: sign-in started", tc.typed)
		}
		if top := l.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("%q: a dialog opened", tc.typed)
		}
	}
	if n := len(h.client.Sessions()); n != 0 {
		t.Errorf("%d accounts made from malformed addresses", n)
	}
	l.address.SetText("alice")
	test.Tap(l.signIn)
	l.win.Canvas().Unfocus()
	test.AssertRendersToMarkup(t, "login/address_error.xml", l.win.Canvas())
	test.AssertRendersToImage(t, "login/address_error.png", l.win.Canvas())
	// Fixing the address clears the message as one types.
	l.address.SetText("alice@example.org")
	if l.addressMsg.Visible() {
		t.Error("message still shown for a valid address")
	}

	// Empty password and a bad port are explained under their fields.
	l.address.SetText("alice@example.org")
	l.password.SetText("")
	l.typeIn(l.port, "9x9999")
	if l.port.Text != "99999" {
		t.Errorf("port entry took non-digits: %q", l.port.Text)
	}
	test.Tap(l.signIn)
	if l.passwordMsg.Text != "Type your password." || !l.passwordMsg.Visible() {
		t.Errorf("password message %q", l.passwordMsg.Text)
	}
	if l.portMsg.Text != "The port is a number from 1 to 65535." || !l.portMsg.Visible() {
		t.Errorf("port message %q", l.portMsg.Text)
	}
	if !l.advanced.Items[0].Open {
		t.Error("Advanced stays closed over a wrong port")
	}
	if n := len(h.client.Sessions()); n != 0 {
		t.Errorf("%d accounts made", n)
	}
	h.drain()
}

func TestLoginSignsInToProsody(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l := startLogin(t, h)
	test.Tap(loginFindButton(t, l.win.Content(), "Sign in"))
	jid, pass := srv.NewUser(t)
	fillSignIn(h, l, "  "+strings.ToUpper(jid[:1])+jid[1:], pass)
	l.typeIn(l.resource, "desk")
	// Enter in the password submits.
	l.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if l.phase != loginConnecting {
		t.Fatal("Enter did not start signing in")
	}
	if !l.progress.Visible() || l.status.Text != "Connecting to example.test…" {
		t.Errorf("progress %v, status %q", l.progress.Visible(), l.status.Text)
	}
	if l.formEnabled() || l.back.Text != "Cancel" {
		t.Error("form editable while connecting")
	}
	win := l.win
	// No keyring in the harness: the password is not remembered, and the
	// person is told (a notification, as the window closes).
	test.AssertNotificationSent(t, fyne.NewNotification("Password not saved",
		"The system keyring is unavailable: the password was not saved; you will type it next time."), func() {
		h.pump("signed in", func() bool { return h.app.login == nil })
	})
	s, ok := h.client.Session(jid)
	if !ok {
		t.Fatalf("no account %s", jid)
	}
	if st, err := s.State(); st != core.StateOnline {
		t.Fatalf("state %v (%v)", st, err)
	}
	if loginWindowOpen(h, win) {
		t.Error("login window still open")
	}
	if !strings.HasPrefix(s.JID(), jid+"/desk") {
		t.Errorf("bound %q", s.JID())
	}
	a := s.Account()
	if a.JID != jid || a.Host != srv.Host || a.Port != srv.Port || a.Resource != "desk" || !a.AutoConnect || a.TLSMode != account.TLSStartTLS {
		t.Errorf("account %+v", a)
	}
	if a.RememberPassword {
		t.Error("RememberPassword still on without a keyring")
	}
}

func TestLoginWrongPassword(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l := startLogin(t, h)
	l.showSignIn()
	jid, _ := srv.NewUser(t)
	fillSignIn(h, l, jid, "not-the-password")
	test.Tap(l.signIn)
	if l.formEnabled() {
		t.Fatal("form editable while connecting")
	}
	h.pump("refused", func() bool { return l.errorText.Visible() })
	want := "The server refused the address or password. Check them and try again."
	if l.errorText.Text != want {
		t.Errorf("error %q, want %q", l.errorText.Text, want)
	}
	h.pump("form enabled", l.formEnabled)
	if l.progress.Visible() || l.status.Visible() {
		t.Error("still shows progress")
	}
	if l.win.Canvas().Focused() != l.password {
		t.Error("focus not on the password")
	}
	if !loginWindowOpen(h, l.win) || h.app.login != l {
		t.Fatal("login window closed")
	}
	if strings.Contains(l.errorText.Text, "core:") || strings.Contains(l.errorText.Text, "xmpp:") {
		t.Errorf("Go error shown: %q", l.errorText.Text)
	}
	if l.notice.Text == "" {
		t.Error("no keyring notice")
	}
	// The golden has fixed values where the test's are random.
	l.address.SetText("alice@example.test")
	l.port.SetText("5222")
	l.win.Canvas().Unfocus()
	test.AssertRendersToMarkup(t, "login/wrong_password.xml", l.win.Canvas())
	test.AssertRendersToImage(t, "login/wrong_password.png", l.win.Canvas())

	// Back removes the half-made account.
	test.Tap(l.back)
	if l.onSignInView {
		t.Fatal("Back did not go back")
	}
	h.pump("account removed", func() bool { return len(h.client.Sessions()) == 0 && l.busy == 0 })
	if l.errorText.Visible() {
		t.Error("old error kept")
	}
}

func TestLoginConnectionRefusedStopsRetrying(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l := startLogin(t, h)
	l.showSignIn()
	jid, pass := srv.NewUser(t)
	l.typeIn(l.address, jid)
	l.typeIn(l.password, pass)
	l.typeIn(l.host, "127.0.0.1")
	l.typeIn(l.port, "1") // nothing listens on port 1
	test.Tap(l.signIn)
	h.pump("refused", func() bool { return l.errorText.Visible() && l.busy == 0 })
	if want := "The server refused the connection. It may be down, or the port in Advanced may be wrong."; l.errorText.Text != want {
		t.Errorf("error %q", l.errorText.Text)
	}
	s, _ := h.client.Session(jid)
	if st, _ := s.State(); st != core.StateOffline {
		t.Errorf("session still %v", st)
	}
	// Fix the port and sign in again: same account, no leftovers.
	l.port.SetText(strconv.Itoa(srv.Port))
	test.Tap(l.signIn)
	h.pump("signed in", func() bool { return h.app.login == nil })
	if n := len(h.client.Sessions()); n != 1 {
		t.Errorf("%d accounts", n)
	}
}

func TestLoginCancelWhileConnecting(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	l := startLogin(t, h)
	l.showSignIn()
	jid, pass := srv.NewUser(t)
	proxy := testserver.NewProxy(t, srv.Addr())
	proxy.Freeze(true) // the server never answers
	l.typeIn(l.address, jid)
	l.typeIn(l.password, pass)
	l.typeIn(l.host, "127.0.0.1")
	l.typeIn(l.port, strconv.Itoa(proxy.Port()))
	test.Tap(l.signIn)
	h.pump("connecting", func() bool { return l.sawConnecting })
	l.address.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) // Escape cancels
	h.pump("cancelled", func() bool { return l.formEnabled() })
	if !l.onSignInView || l.progress.Visible() || l.errorText.Visible() {
		t.Error("cancel should stay on the form, quietly")
	}
	s, _ := h.client.Session(jid)
	if st, _ := s.State(); st != core.StateOffline {
		t.Errorf("session %v after cancel", st)
	}
	test.Tap(l.back)
	h.pump("account removed", func() bool { return len(h.client.Sessions()) == 0 && l.busy == 0 })
}

func TestLoginTrustCertificate(t *testing.T) {
	srv := prosody(t)
	h := newUntrustingHarness(t, srv)
	l := startLogin(t, h)
	l.showSignIn()
	jid, pass := srv.NewUser(t)
	fillSignIn(h, l, jid, pass)
	test.Tap(l.signIn)
	h.pump("trust question", func() bool { return l.trust != nil })
	want := xmpp.FormatFingerprint(srv.CertSHA256)
	if l.trustFingerprint != want {
		t.Errorf("fingerprint %q, want %q", l.trustFingerprint, want)
	}
	top := l.win.Canvas().Overlays().Top()
	var shown string
	for _, obj := range test.LaidOutObjects(top) {
		if lb, ok := obj.(*widget.Label); ok && lb.TextStyle.Monospace {
			shown = strings.ReplaceAll(lb.Text, "\n", ":")
		}
	}
	if shown != want {
		t.Errorf("dialog shows %q, want %q", shown, want)
	}
	if !strings.Contains(strings.Join(loginLabels(top), " "), "example.test") {
		t.Errorf("dialog does not name the server: %q", loginLabels(top))
	}

	test.Tap(loginFindButton(t, top, "Trust this certificate"))
	h.pump("signed in", func() bool { return h.app.login == nil })
	s, _ := h.client.Session(jid)
	if st, err := s.State(); st != core.StateOnline {
		t.Fatalf("state %v (%v)", st, err)
	}
	if !slices.Contains(s.Account().Pinned, want) {
		t.Errorf("pinned %q", s.Account().Pinned)
	}
}

func TestLoginDeclineCertificate(t *testing.T) {
	srv := prosody(t)
	h := newUntrustingHarness(t, srv)
	l := startLogin(t, h)
	l.showSignIn()
	jid, pass := srv.NewUser(t)
	fillSignIn(h, l, jid, pass)
	test.Tap(l.signIn)
	h.pump("trust question", func() bool { return l.trust != nil })
	test.Tap(loginFindButton(t, l.win.Canvas().Overlays().Top(), "Cancel"))
	h.pump("form enabled", l.formEnabled)
	if !strings.HasPrefix(l.errorText.Text, "The server's certificate is not trusted by this computer.") ||
		!strings.Contains(l.errorText.Text, xmpp.FormatFingerprint(srv.CertSHA256)) {
		t.Errorf("error %q", l.errorText.Text)
	}
	s, _ := h.client.Session(jid)
	if len(s.Account().Pinned) != 0 {
		t.Error("pinned without consent")
	}
	// Closing the window forgets the half-made account.
	l.closeRequested()
	h.pump("closed", func() bool { return h.app.login == nil })
	if n := len(h.client.Sessions()); n != 0 {
		t.Errorf("%d accounts left", n)
	}
}
