// Package e2e runs the real Causerie binary in a real X server (Xvfb)
// with a real D-Bus session and gnome-keyring, against a real Prosody:
// a person's whole first session, driven by typing with xdotool. It saves
// screenshots under testdata/screenshots (looked at by the developers; the
// README's come from here).
package e2e

import (
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xdriver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

func need(t *testing.T, what string, ok bool) {
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("end-to-end test needs %s (make test provides it)", what)
	}
	t.Skipf("end-to-end test needs %s: run it through make test", what)
}

// needGUI checks what a test driving the real app needs: an X
// display, a D-Bus session with a keyring, xdotool and ImageMagick.
func needGUI(t *testing.T) {
	t.Helper()
	need(t, "an X display (DISPLAY)", os.Getenv("DISPLAY") != "")
	need(t, "a D-Bus session with a keyring", os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "")
	need(t, "xdotool", haveCmd("xdotool"))
	need(t, "ImageMagick's import", haveCmd("import"))
}

func haveCmd(name string) bool { _, err := exec.LookPath(name); return err == nil }

// headless is a real user driven from the test with core (no GUI).
type headless struct {
	jid, pass string
	client    *core.Client
	session   *core.Session
	events    chan core.Event
}

func newHeadless(t *testing.T, srv *testserver.Server, jid, pass string, features ...*core.Feature) *headless {
	dir := t.TempDir()
	accts, _ := account.OpenStore(filepath.Join(dir, "config"))
	store, err := history.Open(filepath.Join(dir, "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewClient(accts, nil, store, core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}, Features: features})
	h := &headless{jid: jid, pass: pass, client: c, events: make(chan core.Event, 10000)}
	c.Subscribe(func(e core.Event) { h.events <- e })
	t.Cleanup(func() { c.Close(); store.Close() })
	s, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, pass)
	if err != nil {
		t.Fatal(err)
	}
	h.session = s
	s.Connect()
	h.wait(t, "online", func(e core.Event) bool {
		st, ok := e.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOnline
	})
	return h
}

// withContact starts a Prosody with two users, makes them each other's
// contacts (the friend named name, in groups) and signs the first one's
// headless client out again, so that the app can sign in with its
// account. It returns the server, that account's address and password,
// and the friend's client.
func withContact(t *testing.T, name string, groups ...string) (srv *testserver.Server, meJID, mePass string, friend *headless) {
	t.Helper()
	srv = testserver.Start(t, testserver.Prosody, testserver.Options{})
	meJID, mePass = srv.NewUser(t)
	friendJID, friendPass := srv.NewUser(t)
	me := newHeadless(t, srv, meJID, mePass)
	friend = newHeadless(t, srv, friendJID, friendPass)
	mutual(t, me, friend, name, groups)
	me.session.Disconnect()
	return srv, meJID, mePass, friend
}

func (h *headless) wait(t *testing.T, what string, f func(core.Event) bool) core.Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case e := <-h.events:
			if f(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("%s: timed out waiting for %s", h.jid, what)
		}
	}
}

// mutual makes a and b contacts (subscription both), b in a's groups.
func mutual(t *testing.T, a, b *headless, name string, groups []string) {
	ctx := context.Background()
	if err := a.session.AddContact(ctx, core.AddContactRequest{JID: b.jid, Name: name, Groups: groups, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	b.wait(t, "request", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
	if err := b.session.ApproveSubscription(ctx, a.jid, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "request back", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
	if err := a.session.ApproveSubscription(ctx, b.jid, core.ApproveOptions{AddBack: true}); err != nil {
		t.Fatal(err)
	}
	a.wait(t, "both", func(core.Event) bool {
		c, _ := a.session.Roster().Contact(b.jid)
		return c.Subscription == core.SubBoth
	})
}

// app is the real binary running in the X server.
type app struct {
	t   *testing.T
	cmd *exec.Cmd
	out xdriver.Output
}

func buildApp(t *testing.T) string {
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "causerie")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startApp(t *testing.T, bin, profile string, env ...string) *app {
	a := &app{t: t}
	a.cmd = exec.Command(bin, "-config", filepath.Join(profile, "config"), "-history", filepath.Join(profile, "history.db"))
	a.cmd.Env = append(os.Environ(), env...)
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the app is stopped before its output is
	// read, so that a failure (such as no window) shows what it said.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the app's output:\n%s", a.out.String())
		}
	})
	t.Cleanup(a.kill)
	return a
}

func (a *app) kill() {
	if a.cmd.ProcessState == nil {
		a.cmd.Process.Kill()
		a.cmd.Wait()
	}
}

// xdo runs xdotool.
func xdo(t *testing.T, args ...string) string { t.Helper(); return xdriver.Do(t, args...) }

// waitWindow waits until a window whose title matches name is mapped and
// returns its id.
func waitWindow(t *testing.T, name string) string {
	t.Helper()
	return xdriver.Window(t, name, time.Minute)
}

// screenshot saves the whole screen as testdata/screenshots/name.png.
func screenshot(t *testing.T, name string) {
	t.Helper()
	time.Sleep(700 * time.Millisecond) // let the frame settle
	xdriver.Screenshot(t, filepath.Join("testdata", "screenshots", name+".png"))
}

// openChat opens the chat with the contact called name from the main
// window as a user would (Ctrl+F, the name, Enter on the first match)
// and returns the chat window.
func openChat(t *testing.T, mainWin, name string) string {
	t.Helper()
	key(t, mainWin, "ctrl+f")
	typeText(t, mainWin, name)
	key(t, mainWin, "Return")
	return waitWindow(t, name)
}

// typeText types into the focused widget of the window.
func typeText(t *testing.T, win, text string) { t.Helper(); xdriver.Type(t, win, text) }

func key(t *testing.T, win string, keys ...string) { t.Helper(); xdriver.Key(t, win, keys...) }

// TestFirstSessionAndRestart: a new user signs in by typing, sees the
// roster with groups, gets a message from a second real client, answers
// it from the chat window, quits, and restarts signed in from the keyring.
func TestFirstSessionAndRestart(t *testing.T) {
	needGUI(t)
	srv := testserver.Start(t, testserver.Prosody, testserver.Options{})
	meJID, mePass := srv.NewUser(t)
	friendJID, friendPass := srv.NewUser(t)
	otherJID, otherPass := srv.NewUser(t)

	// The account already has contacts in groups on the server.
	me := newHeadless(t, srv, meJID, mePass)
	friend := newHeadless(t, srv, friendJID, friendPass)
	other := newHeadless(t, srv, otherJID, otherPass)
	mutual(t, me, friend, "Tintin", []string{"Amis", "Reporters"})
	mutual(t, me, other, "Haddock", []string{"Amis"})
	other.session.SetPresence(context.Background(), core.Presence{Show: core.ShowDND, Status: "Mille sabords !"})
	me.session.Disconnect()

	bin := buildApp(t)
	profile := t.TempDir()
	// The test server's certificate, trusted like a system CA would be.
	ca := filepath.Join(profile, "ca.pem")
	os.WriteFile(ca, srv.CertPEM, 0o600)
	env := []string{"SSL_CERT_FILE=" + ca}

	a := startApp(t, bin, profile, env...)
	win := waitWindow(t, "^Causerie$")
	screenshot(t, "1-welcome")
	xdriver.FillSignIn(t, win, srv.Host, srv.Port, meJID, mePass)
	screenshot(t, "2-sign-in")
	friend.drain()
	key(t, win, "Return") // submit
	// The server sees us: friend gets our presence.
	friend.wait(t, "the app's presence", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	waitGone(t, win) // the sign-in window closes, the main window opens
	mainWin := waitWindow(t, "^Causerie")
	screenshot(t, "3-main-window")

	if _, err := friend.session.SendMessage(meJID, core.TypeChat, "", "Bonjour ! Tu as vu Milou ?"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	screenshot(t, "4-unread")
	chatWin := openChat(t, mainWin, "Tintin")
	typeText(t, chatWin, "Oui, il est avec moi.")
	key(t, chatWin, "Return")
	got := friend.wait(t, "the reply", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.Peer == meJID
	}).(core.MessageReceived)
	if got.Message.Body != "Oui, il est avec moi." {
		t.Fatalf("friend got %q", got.Message.Body)
	}
	screenshot(t, "5-chat")

	// Close the chat (Ctrl+W on its last tab), back to the main window.
	key(t, chatWin, "ctrl+w")
	waitGone(t, chatWin)

	// Change presence from the selector: away, with a status message.
	mainWin = waitWindow(t, "^Causerie")
	friend.drain()
	click(t, mainWin, 150, 49) // the presence selector
	click(t, mainWin, 30, 162) // "Away"
	click(t, mainWin, 170, 89) // the status message
	typeText(t, mainWin, "Parti manger")
	key(t, mainWin, "Return")
	friend.wait(t, "the app's new presence", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		if !ok || p.Contact.JID != meJID {
			return false
		}
		r, _ := p.Contact.Best()
		return r.Show == core.ShowAway && r.Status == "Parti manger"
	})
	screenshot(t, "6-away")

	// Quit, then restart into the same state: signed in from the keyring.
	a.quit(friend, meJID)
	friend.drain()
	startApp(t, bin, profile, env...)
	friend.wait(t, "the restarted app's presence", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	waitWindow(t, "^Causerie")
	screenshot(t, "7-restarted")
}

// quit quits the app with Ctrl+Q on its main window and waits until it
// has exited and contact has seen the account (meJID) go offline.
func (a *app) quit(contact *headless, meJID string) {
	t := a.t
	t.Helper()
	contact.drain()
	key(t, waitWindow(t, "^Causerie"), "ctrl+q")
	done := make(chan error, 1)
	go func() { done <- a.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the app did not quit on Ctrl+Q\n%s", a.out.String())
	}
	contact.wait(t, "the app going offline", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && !p.Contact.Online()
	})
}

func focus(t *testing.T, win string) { t.Helper(); xdriver.Focus(t, win) }

// click clicks at a position inside the window.
func click(t *testing.T, win string, x, y int) { t.Helper(); xdriver.Click(t, win, x, y) }

// drain forgets the events received so far.
func (h *headless) drain() {
	for {
		select {
		case <-h.events:
		default:
			return
		}
	}
}

// waitGone waits until a window is no longer mapped.
func waitGone(t *testing.T, win string) { t.Helper(); xdriver.Gone(t, win) }
