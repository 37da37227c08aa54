package ui

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
)

// changedCertAccount adds an account on the test server whose pinned
// certificate is not the one the server presents (it changed since), in a
// client that does not trust the server otherwise. It returns the session
// and the old and new fingerprints.
func changedCertAccount(t *testing.T, h *harness) (s *core.Session, pass, old, now string) {
	t.Helper()
	jid, pass := h.server.NewUser(t)
	old = xmpp.FormatFingerprint(sha256.Sum256([]byte("the certificate trusted before")))
	now = xmpp.FormatFingerprint(h.server.CertSHA256)
	s, err := h.client.AddAccount(context.Background(), account.Account{
		JID: jid, Host: h.server.Host, Port: h.server.Port, Pinned: []string{old},
	}, pass)
	if err != nil {
		t.Fatal(err)
	}
	return s, pass, old, now
}

// checkChangedDialog asserts that the dialog on top says the certificate
// changed and shows the old fingerprint, then the new one.
func checkChangedDialog(t *testing.T, top fyne.CanvasObject, old, now string) {
	t.Helper()
	labels := strings.Join(loginLabels(top), "\n")
	if !strings.Contains(labels, "has changed since you trusted it") ||
		!strings.Contains(labels, "Previously trusted SHA-256 fingerprint:") ||
		!strings.Contains(labels, "New SHA-256 fingerprint:") {
		t.Errorf("dialog does not say the certificate changed:\n%s", labels)
	}
	var shown []string
	for _, obj := range test.LaidOutObjects(top) {
		if lb, ok := obj.(*widget.Label); ok && lb.TextStyle.Monospace {
			shown = append(shown, strings.ReplaceAll(lb.Text, "\n", ":"))
		}
	}
	if !slices.Equal(shown, []string{old, now}) {
		t.Errorf("fingerprints shown %q, want old %q then new %q", shown, old, now)
	}
}

// checkPinReplaced asserts that the account pins only fp, in the session
// and in the accounts file.
func checkPinReplaced(t *testing.T, h *harness, s *core.Session, fp string) {
	t.Helper()
	if p := s.Account().Pinned; !slices.Equal(p, []string{fp}) {
		t.Errorf("pinned %q, want only %q", p, fp)
	}
	accts, err := account.OpenStore(filepath.Join(h.dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := accts.Get(s.Account().JID); !slices.Equal(a.Pinned, []string{fp}) {
		t.Errorf("stored pins %q, want only %q", a.Pinned, fp)
	}
}

// TestChangedCertificateFromMainWindow: an account whose server's
// certificate changed goes offline; "Sign in again" asks about the
// certificate right there, saying it changed, with the old and the new
// fingerprints; trusting it replaces the old pin and signs in.
func TestChangedCertificateFromMainWindow(t *testing.T) {
	h := newUntrustingHarness(t, prosody(t))
	s, _, old, now := changedCertAccount(t, h)
	h.app.Start()
	m := h.app.main
	s.Connect()
	v := m.views[s.Account().JID]
	h.pump("refused", func() bool { return v.signIn.Visible() })
	if core.Classify(v.err) != core.ProblemCertificate {
		t.Fatalf("offline with %v", v.err)
	}
	test.Tap(v.signIn)
	if m.trustDialog == nil || h.app.login != nil {
		t.Fatal("no certificate question (or the whole sign-in window)")
	}
	top := m.win.Canvas().Overlays().Top()
	checkChangedDialog(t, top, old, now)
	test.Tap(loginFindButton(t, top, "Trust")) // the short name over the narrow main window
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })
	checkPinReplaced(t, h, s, now)
}

// TestChangedCertificateFromLogin: signing in again from the sign-in
// window on an account whose certificate changed asks the same way, and
// trusting replaces the pin.
func TestChangedCertificateFromLogin(t *testing.T) {
	h := newUntrustingHarness(t, prosody(t))
	s, pass, old, now := changedCertAccount(t, h)
	h.app.Start()
	h.app.ShowLogin()
	l := h.app.login
	l.showSignIn()
	fillSignIn(h, l, s.Account().JID, pass)
	test.Tap(l.signIn)
	h.pump("trust question", func() bool { return l.trust != nil })
	top := l.win.Canvas().Overlays().Top()
	checkChangedDialog(t, top, old, now)
	test.Tap(loginFindButton(t, top, "Trust the new certificate"))
	h.pump("signed in", func() bool { return h.app.login == nil })
	if st, err := s.State(); st != core.StateOnline {
		t.Fatalf("state %v (%v)", st, err)
	}
	checkPinReplaced(t, h, s, now)
}

// TestDowngradeExplained: the downgrade refusal is explained in words.
func TestDowngradeExplained(t *testing.T) {
	test.NewTempApp(t)
	text := Explain(&xmpp.DowngradeError{Min: xmpp.AuthSCRAM, Offered: []string{"PLAIN"}})
	if !strings.Contains(text, "weaker way to sign in") || strings.Contains(text, "xmpp:") {
		t.Errorf("Explain: %q", text)
	}
}
