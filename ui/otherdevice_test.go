package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/mds"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
)

// TestOtherDeviceInGUI: the user's phone (slixmpp signed in to the same
// account) and the GUI. B writes while the chat is closed: one unread;
// the user answers from the phone, and the count goes (read elsewhere).
// With the chat open, what the phone sends shows in it as the user's own
// ("Me"), once.
func TestOtherDeviceInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h, s, jid, pass := ch.harness, ch.s, ch.me, ch.pass
	b := newPeer(t, h.server)
	phone := slixpeer.Start(t, h.server, jid, pass, slixpeer.Options{Resource: "phone"})
	key := ch.key(b.jid)

	if _, err := b.session.SendMessage(jid, core.TypeChat, "", "Tu viens ?"); err != nil {
		t.Fatal(err)
	}
	h.pump("one unread", func() bool { return h.app.Unread(key) == 1 })
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.jid, Body: "J'arrive !"})
	h.pump("read on the phone", func() bool { return h.app.Unread(key) == 0 })
	h.pump("kept read", func() bool {
		counts, err := s.Unread()
		return err == nil && counts[b.jid] == 0
	})

	ch.open(b.jid)
	ch.waitShown("Tu viens ?", "J'arrive !")
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.jid, Body: "Dans cinq minutes"})
	ch.waitShown("Dans cinq minutes")
	m := ch.markup()
	if n := strings.Count(m, "Dans cinq minutes"); n != 1 {
		t.Errorf("the phone's message shown %d times", n)
	}
	// The phone's messages are the user's: under "Me", not B's name.
	if i, j := strings.LastIndex(m, ">Me<"), strings.Index(m, "Dans cinq minutes"); i < 0 || i > j {
		t.Errorf("the phone's message is not shown as the user's:\n%s", m)
	}
}

// TestReadMarkersInGUI: B (slixmpp) displays the user's message and its
// marker comes back: the chat shows it read. Then B writes twice while
// the chat is closed, and the user's phone displays the first one: one
// unread left.
func TestReadMarkersInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h, s, jid, pass := ch.harness, ch.s, ch.me, ch.pass
	bJID, bPass := h.server.NewUser(t)
	b := slixpeer.Start(t, h.server, bJID, bPass, slixpeer.Options{})
	phone := slixpeer.Start(t, h.server, jid, pass, slixpeer.Options{Resource: "phone"})
	key := ch.key(b.Bare)

	ch.open(b.Bare)
	if _, err := s.SendMessage(b.Bare, core.TypeChat, "", "On se voit demain ?"); err != nil {
		t.Fatal(err)
	}
	got := b.WaitFor(t, "the user's message", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == "On se voit demain ?" })
	b.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<message to='%s' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='%s'/></message>`, jid, got.ID)})
	ch.waitShown("On se voit demain ?", "✓✓ read")
	h.app.chat.close()

	first := b.Do(t, slixpeer.Command{Cmd: "send", To: jid, Body: "Oui, à midi."})
	b.Do(t, slixpeer.Command{Cmd: "send", To: jid, Body: "Au café ?"})
	h.pump("two unread", func() bool { return h.app.Unread(key) == 2 })
	phone.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<message to='%s' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='%s'/></message>`, b.Bare, first.ID)})
	h.pump("one unread after the phone showed the first", func() bool { return h.app.Unread(key) == 1 })
}

// TestReadSyncInGUI (XEP-0490): the user's second device (Causerie's
// core, the same features) reads what B wrote: the GUI's count goes. The
// user reads in the GUI what B wrote next: the other device hears it.
func TestReadSyncInGUI(t *testing.T) {
	ch := newChatHarness(t, true)
	h, jid, pass := ch.harness, ch.me, ch.pass
	other := coretest.Login(t, h.server, jid, pass, Features...)
	other.Connect(t)
	b := newPeer(t, h.server)
	key := ch.key(b.jid)
	stored := func(body string) {
		t.Helper()
		other.Events.Wait(t, body, func(e core.Event) bool {
			m, ok := e.(core.MessageReceived)
			return ok && m.Message.Body == body
		})
	}

	for _, body := range []string{"Premier", "Second"} {
		if _, err := b.session.SendMessage(jid, core.TypeChat, "", body); err != nil {
			t.Fatal(err)
		}
	}
	h.pump("two unread", func() bool { return h.app.Unread(key) == 2 })
	stored("Second")
	if err := mds.Of(other.Session).Displayed(b.jid); err != nil {
		t.Fatal(err)
	}
	h.pump("read on the other device", func() bool { return h.app.Unread(key) == 0 })

	if _, err := b.session.SendMessage(jid, core.TypeChat, "", "Troisième"); err != nil {
		t.Fatal(err)
	}
	stored("Troisième")
	h.pump("one unread", func() bool { return h.app.Unread(key) == 1 })
	mark := other.Events.Mark()
	ch.open(b.jid) // read here
	other.Events.WaitFrom(t, mark, "read in the GUI", func(e core.Event) bool {
		r, ok := e.(core.ReadElsewhere)
		return ok && r.Peer == b.jid
	})
	if n, err := other.Session.Unread(); err != nil || n[b.jid] != 0 {
		t.Errorf("the other device: %v, %v", n, err)
	}
}
