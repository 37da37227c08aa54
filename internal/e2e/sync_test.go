package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/slixpeer"
)

// TestWhileClosed is issue 18 in the real app. The app runs, then quits.
// While it is closed, the user goes on talking with Bob from their phone
// (slixmpp, the same account): what the phone says, and what Bob answers
// to the phone — never sent to this device, only our server's archive
// has it — and then Bob writes once more while the phone is off too
// (offline storage and the archive both have that one). The app starts
// again: the chat with Bob shows all of it, in order, each message once
// (sync-1-caught-up.png). With the app running, the phone writes again:
// the open chat shows it at once as the user's (carbons,
// sync-2-live-copy.png). The user answers, Bob reads it: "read"
// (sync-3-read.png). The account's settings show what the server keeps
// (sync-4-archive-setting.png).
func TestWhileClosed(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, bob := withContact(t, "Bob")
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	env := "SSL_CERT_FILE=" + filepath.Join(profile, "ca.pem")
	bin := buildApp(t)

	appOnline := func(a *app) {
		t.Helper()
		bob.wait(t, "the app's presence", func(e core.Event) bool {
			p, ok := e.(core.PresenceChanged)
			return ok && p.Contact.JID == meJID && p.Contact.Online()
		})
	}

	a := startApp(t, bin, profile, env)
	appOnline(a)
	waitWindow(t, "^Causerie")
	time.Sleep(2 * time.Second) // its first catch-up: an empty archive
	a.quit(bob, meJID)

	// Closed: the phone and Bob talk.
	phone := slixpeer.Start(t, srv, meJID, mePass, slixpeer.Options{Resource: "phone"})
	talk := []struct {
		fromPhone bool
		body      string
	}{
		{true, "Je sors du bureau, je passe prendre le pain."},
		{false, "Parfait ! Prends aussi des croissants."},
		{true, "Combien ?"},
		{false, "Quatre, s'il te plaît."},
		{true, "C'est noté."},
	}
	bob.drain()
	for _, line := range talk {
		if line.fromPhone {
			phone.Do(t, slixpeer.Command{Cmd: "send", To: bob.jid, Body: line.body})
			bob.wait(t, line.body, func(e core.Event) bool {
				m, ok := e.(core.MessageReceived)
				return ok && m.Message.Body == line.body
			})
			continue
		}
		mark := phone.Mark()
		if _, err := bob.session.SendMessage(phone.JID, core.TypeChat, "", line.body); err != nil {
			t.Fatal(err)
		}
		phone.WaitFrom(t, mark, line.body, func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == line.body })
	}
	phone.Stop()
	// A stamp to the second orders what came by two roads (offline
	// storage, the archive) within one second by arrival: a second
	// apart, the order is the one the archive gives.
	time.Sleep(1100 * time.Millisecond)
	const last = "Et n'oublie pas le journal."
	if _, err := bob.session.SendMessage(meJID, core.TypeChat, "", last); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)

	a = startApp(t, bin, profile, env)
	appOnline(a)
	mainWin := waitWindow(t, "^Causerie")
	chatWin := openChat(t, mainWin, "Bob")
	time.Sleep(2 * time.Second)
	screenshot(t, "sync-1-caught-up")

	// Running: the phone writes, the open chat shows it.
	phone = slixpeer.Start(t, srv, meJID, mePass, slixpeer.Options{Resource: "phone"})
	const live = "J'arrive dans dix minutes."
	phone.Do(t, slixpeer.Command{Cmd: "send", To: bob.jid, Body: live})
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "sync-2-live-copy")
	phone.Stop()

	// The user answers from here; Bob reads it: "read" (XEP-0333).
	const reply = "Parfait, je t'attends." // xdotool types ASCII only here
	focus(t, chatWin)
	typeText(t, chatWin, reply)
	key(t, chatWin, "Return")
	bob.wait(t, "the reply", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == reply
	})
	if err := bob.session.MarkRead(meJID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "sync-3-read")

	// What the server keeps, in the account's settings.
	key(t, mainWin, "ctrl+shift+a")
	accts := waitWindow(t, "^Accounts")
	click(t, accts, 135, 100) // Settings…
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "sync-4-archive-setting")
	key(t, accts, "Escape")
	a.quit(bob, meJID)

	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms, err := store.Latest(meJID, bob.jid, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, m := range ms {
		who := "Bob"
		if m.Direction == history.Out {
			who = "me"
		}
		got = append(got, who+": "+m.Body)
	}
	for _, line := range talk {
		who := "Bob"
		if line.fromPhone {
			who = "me"
		}
		want = append(want, who+": "+line.body)
	}
	want = append(want, "Bob: "+last, "me: "+live, "me: "+reply)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the app's history:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), a.out.String())
	}
}
