package ui

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/ui/roster"
	"github.com/causerie/causerie/ui/widgets"
)

// overlayButton finds a button in the window's top dialog.
func overlayButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open (looking for %q)", text)
	}
	return loginFindButton(t, top, text)
}

// overlayTexts are the visible labels of the window's top dialog.
func overlayTexts(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return strings.Join(loginLabels(top), "\n")
}

func typeInto(w fyne.Window, e fyne.Focusable, text string) {
	w.Canvas().Focus(e)
	test.Type(e.(interface {
		fyne.Focusable
		TypedRune(rune)
	}), text)
}

func setEntry(w fyne.Window, e *widgets.Entry, text string) {
	e.SetText("")
	w.Canvas().Focus(e)
	test.Type(e, text)
}

// signInDirect checks credentials with a fresh stream, outside the GUI.
func signInDirect(srv *testserver.Server, jid, pass string) error {
	c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: srv.Host, Port: srv.Port,
		TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	if err == nil {
		c.Close()
	}
	return err
}

// TestAccountLifecycleThroughTheGUI is the acceptance of the account life
// cycle, on Prosody and ejabberd: from a fresh start a new user creates an
// account with the wizard, changes its password, removes the account from
// this computer, signs in again (the old password refused, the new one
// accepted) and deletes the account on the server.
func TestAccountLifecycleThroughTheGUI(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			testAccountLifecycleThroughTheGUI(t, testserver.Shared(t, k, testserver.Options{}))
		})
	}
}

func testAccountLifecycleThroughTheGUI(t *testing.T, srv *testserver.Server) {
	h := newHarness(t, srv)
	l, wiz := openSignup(t, h)
	signupServer(t, h, l, wiz)
	user, pass1, pass2 := uniqueUser(), "First-Pass-2026", "Second-Pass-2027"
	signupFill(l, wiz, user, pass1, pass1)
	test.Tap(loginFindButton(t, l.win.Content(), "Create"))
	h.pump("signed up", func() bool { return h.app.login == nil || wiz.errorText.Visible() })
	if wiz.errorText.Visible() {
		t.Fatalf("sign-up: %q", wiz.errorText.Text)
	}
	jid := user + "@" + srv.Domain
	s, ok := h.client.Session(jid)
	if !ok {
		t.Fatal("no account after sign-up")
	}
	h.pump("online", func() bool { st, _ := s.State(); return st == core.StateOnline })

	// Accounts window: the account, online.
	h.app.ShowAccounts()
	aw := h.app.accounts
	if aw == nil || aw.rows[jid] == nil {
		t.Fatal("accounts window without the account")
	}
	row := aw.rows[jid]
	if row.state.Text != "Online" || row.connect.Text != "Sign out" || row.pass.Disabled() {
		t.Fatalf("row: %q %q", row.state.Text, row.connect.Text)
	}

	// Change the password: mistakes first, then the change.
	test.Tap(row.pass)
	pd := aw.password
	if pd == nil || aw.win.Canvas().Focused() != pd.old {
		t.Fatal("password dialog not open with the focus on the current password")
	}
	typeInto(aw.win, pd.old, pass1)
	typeInto(aw.win, pd.new, pass2)
	if pd.strength.Text != "Strong password." {
		t.Errorf("strength %q", pd.strength.Text)
	}
	typeInto(aw.win, pd.confirm, pass2+"x")
	test.Tap(pd.change)
	if !pd.confirmMsg.Visible() || pd.confirmMsg.Text != "The two new passwords are different." || pd.busy {
		t.Fatalf("mismatch: %q", pd.confirmMsg.Text)
	}
	setEntry(aw.win, pd.confirm, pass2)
	setEntry(aw.win, pd.old, "not-the-password")
	test.Tap(pd.change)
	if !pd.busy || !pd.progress.Visible() || pd.change.Disabled() == false {
		t.Error("no progress while changing")
	}
	h.pump("wrong current password", func() bool { return !pd.busy })
	if pd.oldMsg.Text != "This is not the current password." {
		t.Fatalf("wrong old: %q / %q", pd.oldMsg.Text, pd.errorText.Text)
	}
	setEntry(aw.win, pd.old, pass1)
	// Enter in the last field submits.
	aw.win.Canvas().Focus(pd.confirm)
	pd.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.pump("changed", func() bool { return !pd.busy && aw.password == nil })
	if got := overlayTexts(aw.win); !strings.Contains(got, "The password of "+jid+" is changed.") {
		t.Fatalf("after change: %q", got)
	}
	test.Tap(overlayButton(t, aw.win, "OK"))
	if st, _ := s.State(); st != core.StateOnline {
		t.Fatal("the session did not stay online")
	}

	// Sign out, then remove from this computer: the welcome window is back.
	test.Tap(row.connect)
	h.pump("offline", func() bool { st, _ := s.State(); return st == core.StateOffline && row.connect.Text == "Sign in" })
	if !row.pass.Disabled() {
		t.Error("password change offered while offline")
	}
	test.Tap(row.del)
	rd := aw.removal
	if rd == nil || rd.choice.Selected != rd.localOnly {
		t.Fatal("removal dialog not open on 'this computer only'")
	}
	rd.choice.SetSelected(rd.onServer)
	if !rd.remove.Disabled() || !strings.Contains(rd.errorText.Text, "Sign in first") {
		t.Errorf("server deletion offered while offline: %q", rd.errorText.Text)
	}
	rd.choice.SetSelected(rd.localOnly)
	test.Tap(rd.remove)
	h.pump("removed", func() bool { _, ok := h.client.Session(jid); return !ok && h.app.accounts == nil })
	if h.app.login == nil || h.app.main == nil || !h.app.main.hidden {
		t.Fatal("the welcome window did not replace the main window")
	}

	// Sign in again: the old password is refused, the new one works.
	l = h.app.login
	test.Tap(loginFindButton(t, l.win.Content(), "Sign in"))
	fillSignIn(h, l, jid, pass1)
	test.Tap(l.signIn)
	h.pump("old password refused", func() bool { return l.errorText.Visible() || l.passwordMsg.Visible() })
	setEntry(l.win, l.password, pass2)
	test.Tap(l.signIn)
	h.pump("signed in with the new password", func() bool {
		s, ok := h.client.Session(jid)
		if !ok {
			return false
		}
		st, _ := s.State()
		return st == core.StateOnline && h.app.login == nil
	})
	if h.app.main == nil || h.app.main.hidden {
		t.Fatal("main window not back")
	}

	// Delete on the server, after a confirmation naming the address.
	h.app.ShowAccounts()
	aw = h.app.accounts
	test.Tap(aw.rows[jid].del)
	rd = aw.removal
	rd.choice.SetSelected(rd.onServer)
	if rd.remove.Disabled() || rd.remove.Text != "Delete account…" {
		t.Fatalf("delete button %q disabled=%v", rd.remove.Text, rd.remove.Disabled())
	}
	if !strings.Contains(rd.explain.Text, "cannot be undone") {
		t.Errorf("explanation %q", rd.explain.Text)
	}
	test.Tap(rd.remove)
	if got := overlayTexts(aw.win); !strings.Contains(got, "Delete "+jid+" on the server for good? This cannot be undone.") {
		t.Fatalf("confirmation: %q", got)
	}
	test.Tap(overlayButton(t, aw.win, "Delete for good"))
	h.pump("deleted", func() bool { _, ok := h.client.Session(jid); return !ok && !rd.busy })
	if rd.errorText.Visible() {
		t.Fatalf("error: %q", rd.errorText.Text)
	}
	h.pump("welcome", func() bool { return h.app.login != nil })
	if got := overlayTexts(h.app.login.win); !strings.Contains(got, jid+" was deleted on the server.") {
		t.Errorf("after deletion: %q", got)
	}
	if err := signInDirect(srv, jid, pass2); core.Classify(err) != core.ProblemWrongPassword {
		t.Fatalf("the deleted account still signs in: %v", err)
	}
}

// TestAccountSettingsDialog: the settings are shown, checked and saved;
// the pinned certificate is shown and forgotten; a connection change on
// an online account offers to reconnect, and reconnecting applies it.
func TestAccountSettingsDialog(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	jid, pass := srv.NewUser(t)
	fp := account.Fingerprint([]byte("a certificate"))
	s, err := h.client.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port,
		Pinned: []string{fp}, AutoConnect: true}, pass)
	if err != nil {
		t.Fatal(err)
	}
	h.app.Start()
	h.online(s)
	h.app.ShowAccounts()
	aw := h.app.accounts
	test.Tap(aw.rows[jid].settings)
	d := aw.settings
	if d == nil {
		t.Fatal("no settings dialog")
	}
	if d.host.Text != srv.Host || d.priority.Text != "0" || !d.autoConnect.Checked || !d.enabled.Checked || d.remember.Checked {
		t.Errorf("form shows host %q prio %q auto %v enabled %v remember %v", d.host.Text, d.priority.Text,
			d.autoConnect.Checked, d.enabled.Checked, d.remember.Checked)
	}
	if got := overlayTexts(aw.win); !strings.Contains(got, loginFingerprintLines(fp)) {
		t.Errorf("pinned certificate not shown: %q", got)
	}

	// Wrong values are explained under their fields; nothing is saved.
	setEntry(aw.win, d.priority, "500")
	setEntry(aw.win, d.host, "bad host/name")
	test.Tap(d.save)
	if d.prioMsg.Text != "The priority is a whole number from -128 to 127." || !d.hostMsg.Visible() {
		t.Fatalf("messages %q %q", d.prioMsg.Text, d.hostMsg.Text)
	}
	if a := s.Account(); a.Priority != 0 {
		t.Fatal("saved despite errors")
	}

	// Good values, the pin forgotten, a new resource: saved.
	setEntry(aw.win, d.priority, "-5")
	setEntry(aw.win, d.host, srv.Host)
	setEntry(aw.win, d.name, "Work")
	setEntry(aw.win, d.resource, "desk")
	if d.ignoreStrangers.Checked {
		t.Error("strangers ignored by default")
	}
	test.Tap(d.ignoreStrangers)
	test.Tap(loginFindButton(t, d.pinBox, "Forget"))
	if len(d.pinned) != 0 || !strings.Contains(overlayTexts(aw.win), "None: the server's certificate") {
		t.Error("pin not forgotten in the form")
	}
	test.Tap(d.save)
	h.pump("saved", func() bool { return aw.settings == nil })
	if s.Presence().Priority != -5 {
		t.Errorf("priority %d not applied to the session", s.Presence().Priority)
	}
	a := s.Account()
	if a.DisplayName != "Work" || a.Priority != -5 || a.Resource != "desk" || len(a.Pinned) != 0 || !a.IgnoreStrangers {
		t.Fatalf("saved %+v", a)
	}
	stored, _ := h.client.Session(jid)
	if stored.Account().DisplayName != "Work" || aw.rows[jid].title.Text != "Work — "+jid {
		t.Errorf("title %q", aw.rows[jid].title.Text)
	}
	// Online with a new resource: reconnect now?
	if got := overlayTexts(aw.win); !strings.Contains(got, "Reconnect now?") {
		t.Fatalf("no reconnect question: %q", got)
	}
	test.Tap(overlayButton(t, aw.win, "Yes"))
	h.pump("reconnected with the new resource", func() bool {
		st, _ := s.State()
		return st == core.StateOnline && strings.HasSuffix(s.JID(), "/desk")
	})

	// Disabling signs the account out and greys its Sign in.
	test.Tap(aw.rows[jid].settings)
	d = aw.settings
	test.Tap(d.enabled)
	test.Tap(d.save)
	h.pump("disabled and offline", func() bool {
		st, _ := s.State()
		return aw.settings == nil && st == core.StateOffline && aw.rows[jid].state.Text == "Disabled"
	})
	if !aw.rows[jid].connect.Disabled() {
		t.Error("Sign in offered for a disabled account")
	}
}

// TestAccountsWindowSeveralAccounts: two accounts at once, each with its
// own session and state in the accounts window and its own section in the
// roster; chats know their account; removing one closes its chats and
// leaves the other.
func TestAccountsWindowSeveralAccounts(t *testing.T) {
	srv := prosody(t)
	h := newHarness(t, srv)
	j1, p1 := srv.NewUser(t)
	j2, p2 := srv.NewUser(t)
	s1, s2 := h.addAccount(j1, p1), h.addAccount(j2, p2)
	h.app.Start()
	h.online(s1)
	h.online(s2)
	h.app.ShowAccounts()
	aw := h.app.accounts
	if len(aw.rows) != 2 || aw.rows[j1].state.Text != "Online" || aw.rows[j2].state.Text != "Online" {
		t.Fatal("both accounts not shown online")
	}
	m := h.app.main
	h.pump("two sections", func() bool {
		return m.model.Nodes[roster.AccountUID(j1)] != nil && m.model.Nodes[roster.AccountUID(j2)] != nil
	})
	h.app.OpenChat(j1, j2)
	h.app.OpenChat(j2, j1)
	if len(h.app.chat.convs) != 2 {
		t.Fatal("chats not keyed by account")
	}

	// Signing one out leaves the other online.
	test.Tap(aw.rows[j2].connect)
	h.pump("one offline", func() bool { return aw.rows[j2].state.Text == "Offline" })
	if st, _ := s1.State(); st != core.StateOnline {
		t.Fatal("the other account went offline")
	}
	// Remove it: its chat closes, its section goes; the other stays.
	test.Tap(aw.rows[j2].del)
	test.Tap(aw.removal.remove)
	h.pump("removed", func() bool { return len(aw.rows) == 1 })
	if h.app.chat == nil || len(h.app.chat.convs) != 1 || h.app.chat.convs[ChatKey{j1, j2}] == nil {
		t.Error("the removed account's chat is still open, or the other closed")
	}
	h.pump("one section", func() bool { return m.model.Nodes[roster.AccountUID(j2)] == nil })
	if m.hidden || h.app.login != nil {
		t.Error("the main window went away with one account left")
	}
}

// TestAccountDialogsRender: the accounts window and its three dialogs, for
// a fixed offline account (golden markup and images).
func TestAccountDialogsRender(t *testing.T) {
	h := newHarness(t, nil)
	fp := account.Fingerprint([]byte("a certificate"))
	if _, err := h.client.AddAccount(context.Background(), account.Account{JID: "alice@example.org", DisplayName: "Alice",
		Host: "xmpp.example.org", Port: 5223, TLSMode: account.TLSDirect, Pinned: []string{fp}, Priority: 5}, ""); err != nil {
		t.Fatal(err)
	}
	h.app.ShowAccounts()
	aw := h.app.accounts
	test.AssertRendersToMarkup(t, "accounts/window.xml", aw.win.Canvas())
	test.AssertRendersToImage(t, "accounts/window.png", aw.win.Canvas())
	test.Tap(aw.rows["alice@example.org"].settings)
	test.AssertRendersToMarkup(t, "accounts/settings.xml", aw.win.Canvas())
	test.AssertRendersToImage(t, "accounts/settings.png", aw.win.Canvas())
	aw.settings.close()
	if aw.settings != nil {
		t.Fatal("settings dialog still open")
	}
	test.Tap(aw.rows["alice@example.org"].del)
	aw.removal.choice.SetSelected(aw.removal.onServer)
	test.AssertRendersToMarkup(t, "accounts/remove_server.xml", aw.win.Canvas())
	test.AssertRendersToImage(t, "accounts/remove_server.png", aw.win.Canvas())
	aw.removal.close()
	// The password dialog, opened directly (the button wants the account online).
	aw.showPassword("alice@example.org")
	typeInto(aw.win, aw.password.new, "short")
	test.AssertRendersToMarkup(t, "accounts/password.xml", aw.win.Canvas())
	test.AssertRendersToImage(t, "accounts/password.png", aw.win.Canvas())
	// Escape in a field closes it.
	aw.password.new.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if aw.password != nil {
		t.Error("Escape did not close the password dialog")
	}
}
