package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/internal/slixpeer"
)

// TestRoom is issue 17 in the real app. Bob (Causerie's core) makes a
// room and sets its subject; Carol (slixmpp) comes in; they talk. The
// user opens "Join group chat…" (Ctrl+J), types the room's address and
// presses Enter: the room's tab opens with what was said, the subject
// and the three occupants (room-1-joined.png). Bob names the user: the
// message is tinted (room-2-mention.png). The user answers from the
// composer; Bob and Carol get it, and it shows delivered
// (room-3-reply.png). The contact list has the room, bookmarked, in its
// "Group chats" section (room-4-contacts.png). The user writes to Bob
// alone with /msg; Bob answers privately (room-5-private.png). After the
// app quits, its history holds the room's messages once each.
func TestRoom(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Alice")
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	env := "SSL_CERT_FILE=" + filepath.Join(profile, "ca.pem")
	bin := buildApp(t)
	me, _, _ := strings.Cut(meJID, "@") // the nick the app offers

	bobJID, bobPass := srv.NewUser(t)
	bob := newHeadless(t, srv, bobJID, bobPass, muc.Feature)
	br := muc.Of(bob.session)
	room := fmt.Sprintf("salon%d@conference.%s", time.Now().Unix()%100000, srv.Domain)
	if err := br.Join(room, "Bob", ""); err != nil {
		t.Fatal(err)
	}
	bob.wait(t, "Bob in the room", func(e core.Event) bool { j, ok := e.(muc.Joined); return ok && j.Room == room })
	time.Sleep(300 * time.Millisecond) // the instant room unlocked
	if err := br.SetSubject(room, "Le programme de la semaine"); err != nil {
		t.Fatal(err)
	}
	carol := slixpeer.StartNew(t, srv, slixpeer.Options{})
	carol.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<presence to='%s/Carol'><x xmlns='http://jabber.org/protocol/muc'/></presence>`, room)})
	bob.wait(t, "Carol in the room", func(e core.Event) bool {
		o, ok := e.(muc.OccupantChanged)
		return ok && o.Occupant.Nick == "Carol"
	})
	say := func(body string) {
		t.Helper()
		if _, err := br.Say(room, body); err != nil {
			t.Fatal(err)
		}
	}
	// Each answers what they saw: the room's order is then the order
	// of the lines (the room orders what comes at once as it reads it).
	say("Bonjour Carol ! Tu as vu le programme ?")
	carol.WaitFor(t, "Bob's question", func(e slixpeer.Event) bool {
		return e.Event == "message" && strings.HasPrefix(e.Body, "Bonjour Carol")
	})
	carol.Do(t, slixpeer.Command{Cmd: "send", To: room, Type: "groupchat", Body: "Oui, la réunion est jeudi."})
	bob.wait(t, "Carol's answer", func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Resource == "Carol"
	})
	say("Parfait, je réserve la salle.")
	time.Sleep(500 * time.Millisecond)

	a := startApp(t, bin, profile, env)
	mainWin := waitWindow(t, "^Causerie")
	friend.wait(t, "the app's presence", func(e core.Event) bool {
		p, ok := e.(core.PresenceChanged)
		return ok && p.Contact.JID == meJID && p.Contact.Online()
	})
	time.Sleep(1000 * time.Millisecond)
	key(t, mainWin, "ctrl+j")
	time.Sleep(800 * time.Millisecond)
	typeText(t, mainWin, room)
	key(t, mainWin, "Return")
	chatWin := waitWindow(t, "salon")
	bob.wait(t, "the user in the room", func(e core.Event) bool {
		o, ok := e.(muc.OccupantChanged)
		return ok && o.Occupant.Nick == me && !o.Gone
	})
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "room-1-joined")

	say(me + ": tu viens jeudi ?")
	time.Sleep(1000 * time.Millisecond)
	screenshot(t, "room-2-mention")

	const reply = "Oui, je serai la !" // xdotool types ASCII only here
	focus(t, chatWin)
	typeText(t, chatWin, reply)
	key(t, chatWin, "Return")
	bob.wait(t, "the reply", func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Body == reply && m.Message.Resource == me
	})
	carol.WaitFor(t, "the reply at Carol's", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == reply })
	time.Sleep(1000 * time.Millisecond)
	screenshot(t, "room-3-reply")

	// A private word with Bob, from the keyboard; Bob answers privately.
	const aside = "/msg Bob On se voit avant ?"
	typeText(t, chatWin, aside)
	key(t, chatWin, "Return")
	bob.wait(t, "the private message", func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Body == "On se voit avant ?" && m.Message.Type == "chat" && m.Message.Resource == me
	})
	if _, err := br.SayPrivately(room, me, "Oui, à 8 h devant la salle."); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "room-5-private")

	focus(t, mainWin)
	key(t, mainWin, "ctrl+2") // Contacts
	time.Sleep(1000 * time.Millisecond)
	screenshot(t, "room-4-contacts")
	if b, ok := muc.Of(bob.session).Bookmark(room); ok {
		t.Errorf("Bob's bookmarks have the room: %+v", b)
	}
	key(t, mainWin, "ctrl+1") // the tab shown is kept for the next runs
	a.quit(friend, meJID)

	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms, err := store.Latest(meJID, room, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		line := m.Resource + ": " + m.Body
		if m.Type == "chat" { // private
			dir := "in"
			if m.Direction == history.Out {
				dir = "out"
			}
			line = "(private " + dir + ") " + line
		}
		got = append(got, line)
	}
	want := []string{
		"Bob: Bonjour Carol ! Tu as vu le programme ?",
		"Carol: Oui, la réunion est jeudi.",
		"Bob: Parfait, je réserve la salle.",
		"Bob: " + me + ": tu viens jeudi ?",
		me + ": " + reply,
		"(private out) Bob: On se voit avant ?",
		"(private in) Bob: Oui, à 8 h devant la salle.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the app's history of the room:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(ms) == len(want) {
		if ours := ms[4]; ours.Direction != history.Out || ours.State != history.StateDelivered {
			t.Errorf("our message: %+v", ours)
		}
		if aside := ms[5]; aside.State != history.StateAcked {
			t.Errorf("our private message: %+v", aside)
		}
	}
}
