package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/testserver"
)

// TestMessageTypedWhileReconnecting: in the real app, the link to the
// server drops and stays refused while the user types a message: the chat
// shows it as "Sending…". When the server can be reached again the
// session is resumed (XEP-0198) and the message goes out at once: the
// contact gets it once, and the chat shows "✓✓ delivered". Before issue
// 13 it stayed pending while the app was online again. Screenshots:
// resume-1-sending.png, resume-2-delivered.png.
func TestMessageTypedWhileReconnecting(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Tintin", "Amis")
	friendJID := friend.jid
	px := testserver.NewProxy(t, srv.Addr())
	profile := savedAccountAt(t, srv, px.Port(), meJID, mePass)

	bin := buildApp(t)
	friend.drain()
	a := startApp(t, bin, profile, "SSL_CERT_FILE="+filepath.Join(profile, "ca.pem"))
	friend.wait(t, "the app online", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	mainWin := waitWindow(t, "^Causerie")
	chatWin := openChat(t, mainWin, "Tintin")

	// The link drops; the server cannot be reached for a while.
	px.Refuse(true)
	px.Cut()
	time.Sleep(time.Second)
	friend.drain()
	const text = "Message typed while reconnecting"
	typeText(t, chatWin, text)
	key(t, chatWin, "Return")
	time.Sleep(time.Second)
	screenshot(t, "resume-1-sending")
	st := messageState(t, profile, meJID, friendJID, text)
	if st != history.StatePending {
		t.Fatalf("while the server is unreachable the message is %v, want pending", st)
	}

	// The server is reachable again: the session resumes and sends it.
	px.Refuse(false)
	got := friend.wait(t, "the message", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Direction == history.In && m.Message.Peer == meJID
	}).(core.MessageReceived)
	if got.Message.Body != text {
		t.Fatalf("friend got %q", got.Message.Body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for messageState(t, profile, meJID, friendJID, text) != history.StateDelivered {
		if time.Now().After(deadline) {
			t.Fatalf("the message never reached delivered: %v\n%s", messageState(t, profile, meJID, friendJID, text), a.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	screenshot(t, "resume-2-delivered")
	friend.drain()
	time.Sleep(time.Second)
	if ms, err := friend.session.History(meJID, 10); err != nil || countBody(ms, text) != 1 {
		t.Fatalf("friend's history holds the message %d times (%v)", countBody(ms, text), err)
	}
}

// messageState reads the state of our message with body text from the
// app's own history (the app has it open: SQLite's WAL lets us read).
func messageState(t *testing.T, profile, me, peer, text string) history.State {
	t.Helper()
	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms, err := store.Latest(me, peer, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Direction == history.Out && m.Body == text {
			return m.State
		}
	}
	return -1
}

func countBody(ms []history.Message, text string) int {
	n := 0
	for _, m := range ms {
		if m.Body == text {
			n++
		}
	}
	return n
}
