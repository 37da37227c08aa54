// Package wincheck signs in from the Windows build of Causerie, run under
// Wine on a display of its own (issue 22): the installed Causerie.exe,
// driven by typing with xdotool as a person would, against a private
// Prosody on 127.0.0.1, with slixmpp as the contact at the other end.
//
// packaging/windows/check.sh (make package-check-windows) runs it once it
// has installed the app into a fresh Wine prefix; it is not part of make
// test (see the README for how long it takes). Without -wine.exe the test
// skips.
package wincheck

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xdriver"
)

var (
	exe   = flag.String("wine.exe", "", `the installed app, as Wine names it (C:\Program Files\Causerie\Causerie.exe)`)
	wine  = flag.String("wine", "/usr/lib/wine/wine64", "the wine loader")
	shots = flag.String("wine.shots", "", "where the screenshots go (default: none)")
)

func TestMain(m *testing.M) { testserver.Main(m) }

// app is Causerie.exe running under Wine.
type app struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  xdriver.Output
	done chan error
}

// start starts the installed app under Wine.
func start(t *testing.T) *app {
	t.Helper()
	a := &app{t: t, done: make(chan error, 1)}
	a.cmd = exec.Command(*wine, *exe)
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { a.done <- a.cmd.Wait() }()
	t.Cleanup(func() {
		a.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("the app's output:\n%s", a.out.String())
		}
	})
	return a
}

// quit quits the app with Ctrl+Q and waits until it has exited.
func (a *app) quit(win string) {
	a.t.Helper()
	key(a.t, win, "ctrl+q")
	select {
	case <-a.done:
	case <-time.After(30 * time.Second):
		a.t.Fatalf("the app did not quit on Ctrl+Q\n%s", a.out.String())
	}
}

// window waits for a shown window whose title matches name and returns
// it once drawn.
func window(t *testing.T, name string) string {
	t.Helper()
	w := xdriver.Find(name, time.Minute)
	if w == "" {
		screenshot(t, "no-window")
		t.Fatalf("no window %q; shown:\n%s", name, xdriver.Shown())
	}
	time.Sleep(time.Second) // drawn
	return w
}

// gone waits until window win is no longer shown.
func gone(t *testing.T, win string) {
	t.Helper()
	xdriver.Gone(t, win)
}

// screenshot saves the screen as windows-name.png in -wine.shots.
func screenshot(t *testing.T, name string) {
	t.Helper()
	if *shots != "" {
		xdriver.Screenshot(t, filepath.Join(*shots, "windows-"+name+".png"))
	}
}

// click clicks at a position inside the window, given the keyboard first:
// Wine makes a window its foreground one when it gets the X input focus.
func click(t *testing.T, win string, x, y int) {
	t.Helper()
	xdriver.Focus(t, win)
	xdriver.Click(t, win, x, y)
	time.Sleep(100 * time.Millisecond)
}

// typeText types text into the window, then lets Wine catch up.
func typeText(t *testing.T, win, text string) {
	t.Helper()
	xdriver.Type(t, win, text)
	time.Sleep(200 * time.Millisecond)
}

// key presses keys in the window, then lets Wine catch up.
func key(t *testing.T, win string, keys ...string) {
	t.Helper()
	xdriver.Key(t, win, keys...)
	time.Sleep(400 * time.Millisecond)
}

// windowManager starts a window manager (openbox) on the display, as
// every Windows desktop has one: without, Wine gives the keyboard only
// to the first window it shows, not to one clicked or focused later.
func windowManager(t *testing.T) {
	t.Helper()
	wm := exec.Command("openbox", "--sm-disable")
	if err := wm.Start(); err != nil {
		t.Fatalf("openbox: %v (install it with: bash .ci/deps.sh package-check-windows)", err)
	}
	t.Cleanup(func() { wm.Process.Kill(); wm.Wait() })
	time.Sleep(time.Second)
}

// TestSignInOnWindows: a new user of the Windows build signs in by
// typing (trusting the test server's certificate when asked, as anyone
// with a self-signed server would), the password going to Wine's
// Credential Manager; the contact sees the app online, a message comes
// and one goes; the app quits and, started again, signs in from the
// stored password without asking.
func TestSignInOnWindows(t *testing.T) {
	if *exe == "" {
		t.Skip("run by make package-check-windows (packaging/windows/check.sh)")
	}
	srv := testserver.Start(t, testserver.Prosody, testserver.Options{})
	meJID, mePass := srv.NewUser(t)
	peer := slixpeer.StartNew(t, srv, slixpeer.Options{SubscribeBack: true})

	// The account already has the peer as a contact, made from another
	// device.
	other := coretest.Login(t, srv, meJID, mePass)
	other.Connect(t)
	if err := other.Session.AddContact(context.Background(), core.AddContactRequest{JID: peer.Bare, Name: "Slix", Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	other.Events.Wait(t, "the peer asks back", func(e core.Event) bool {
		r, ok := e.(core.SubscriptionRequested)
		return ok && r.Request.From == peer.Bare
	})
	if err := other.Session.ApproveSubscription(context.Background(), peer.Bare, core.ApproveOptions{}); err != nil {
		t.Fatal(err)
	}
	other.Events.Wait(t, "the peer online", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == peer.Bare && p.Contact.Online()
	})
	other.Session.Disconnect()
	isOnline := func(e slixpeer.Event) bool {
		return e.Event == "presence" && e.Type == "" && strings.HasPrefix(e.From, meJID+"/")
	}
	online := func(mark int, what string) { peer.WaitFrom(t, mark, what, isOnline) }

	windowManager(t)
	began := time.Now()
	a := start(t)
	win := window(t, "^Causerie$")
	t.Logf("the welcome window %.1f s after start", time.Since(began).Seconds())
	screenshot(t, "1-welcome")
	xdriver.FillSignIn(t, win, srv.Host, srv.Port, meJID, mePass)
	screenshot(t, "2-sign-in")
	mark := peer.Mark()
	key(t, win, "Return") // submit
	// The test server's certificate is not one Windows trusts: the app
	// asks, showing its fingerprint, and does not sign in until it is
	// trusted.
	time.Sleep(3 * time.Second)
	for _, e := range peer.Events()[mark:] {
		if e.Event == "presence" && strings.HasPrefix(e.From, meJID+"/") {
			t.Fatal("the app signed in without asking about the certificate")
		}
	}
	screenshot(t, "3-certificate")
	for try := 0; ; try++ {
		click(t, win, 333, 421) // Trust this certificate
		if _, ok := peer.WaitFromWithin(mark, 10*time.Second, isOnline); ok {
			break
		}
		if try == 2 {
			online(mark, "the app online")
		}
	}
	t.Logf("signed in %.1f s after start (typing and trusting included)", time.Since(began).Seconds())
	gone(t, win) // the sign-in window closes, the main window opens
	mainWin := window(t, "^Causerie")
	screenshot(t, "4-main-window")

	// A message comes, with a receipt asked: the app stores it, then
	// confirms it.
	mark = peer.Mark()
	id := peer.Do(t, slixpeer.Command{Cmd: "send", To: meJID, Body: "Bonjour de slixmpp !", Receipt: true}).ID
	peer.WaitFrom(t, mark, "the app's receipt", func(e slixpeer.Event) bool {
		return e.Event == "message" && e.Receipt == id
	})
	chat := openChat(t, mainWin, "Slix")
	screenshot(t, "5-chat")
	mark = peer.Mark()
	typeText(t, chat, "Salut depuis Windows")
	key(t, chat, "Return")
	peer.WaitFrom(t, mark, "the app's message", func(e slixpeer.Event) bool {
		return e.Event == "message" && e.Body == "Salut depuis Windows"
	})
	screenshot(t, "6-sent")

	// Quit, then start again: signed in from the stored password.
	mark = peer.Mark()
	key(t, chat, "ctrl+w")
	gone(t, chat)
	a.quit(window(t, "^Causerie"))
	peer.WaitFrom(t, mark, "the app offline", func(e slixpeer.Event) bool {
		return e.Event == "presence" && e.Type == "unavailable" && strings.HasPrefix(e.From, meJID+"/")
	})
	// The password is in Wine's Credential Manager, not in a file (the
	// registry is written out once the prefix's last program ended).
	wctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(wctx, filepath.Join(filepath.Dir(*wine), "wineserver"), "-w").CombinedOutput(); err != nil {
		t.Fatalf("wineserver -w: %v: %s", err, out)
	}
	checkCredential(t, meJID, mePass)
	mark = peer.Mark()
	began = time.Now()
	a = start(t)
	online(mark, "the restarted app online")
	t.Logf("started again and signed in from the Credential Manager in %.1f s", time.Since(began).Seconds())
	window(t, "^Causerie")
	screenshot(t, "7-restarted")
	a.quit(window(t, "^Causerie"))
}

// openChat opens the chat with name from the main window as a user
// would (a click in the filter box, the name, Enter on the first match)
// and returns the chat window.
func openChat(t *testing.T, mainWin, name string) string {
	t.Helper()
	// Wine, on a freshly made prefix, may not yet give the keyboard to
	// a window just shown: the filter is typed into again if the chat
	// did not open.
	for try := 1; ; try++ {
		click(t, mainWin, 106, 166) // the filter box
		key(t, mainWin, "ctrl+a", "BackSpace")
		typeText(t, mainWin, name)
		key(t, mainWin, "Return")
		if w := xdriver.Find(name, 10*time.Second); w != "" {
			time.Sleep(time.Second) // drawn
			return w
		}
		if try == 3 {
			return window(t, name)
		}
		t.Logf("the chat with %s did not open; again", name)
	}
}

// checkCredential checks that the prefix's Credential Manager holds the
// account's entry, and that no file of the prefix holds the password in
// plain text (Wine keeps the credential in user.reg, obfuscated with a
// key stored beside it: not a secret from whoever reads the prefix).
func checkCredential(t *testing.T, jid, pass string) {
	t.Helper()
	prefix := os.Getenv("WINEPREFIX")
	if prefix == "" {
		t.Fatal("WINEPREFIX is not set")
	}
	reg, err := os.ReadFile(filepath.Join(prefix, "user.reg"))
	if err != nil {
		t.Fatal(err)
	}
	// go-keyring's Windows backend: a generic credential named
	// service:user.
	if entry := `[Software\\Wine\\Credential Manager\\Generic: causerie:` + jid + `]`; !strings.Contains(string(reg), entry) {
		t.Fatalf("no %s in the prefix's user.reg", entry)
	}
	err = filepath.WalkDir(filepath.Join(prefix, "drive_c", "users"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, err := os.ReadFile(path); err == nil && holds(b, pass) {
			t.Errorf("the password is in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"user.reg", "system.reg", "userdef.reg"} {
		if b, _ := os.ReadFile(filepath.Join(prefix, f)); holds(b, pass) {
			t.Errorf("the password is in %s in plain text", f)
		}
	}
}

// holds reports whether b holds s in plain text: as UTF-8, as UTF-16LE
// (Windows' strings), or as a .reg file's hex:xx,xx,... bytes of either.
func holds(b []byte, s string) bool {
	var u16 []byte
	for _, r := range s {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	hexOf := func(p []byte) string {
		var h []string
		for _, c := range p {
			h = append(h, fmt.Sprintf("%02x", c))
		}
		return strings.Join(h, ",")
	}
	text := strings.ToLower(string(b))
	return bytes.Contains(b, []byte(s)) || bytes.Contains(b, u16) ||
		strings.Contains(text, hexOf([]byte(s))) || strings.Contains(text, hexOf(u16))
}
