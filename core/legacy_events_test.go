package core

import (
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/chatstate"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// TestLegacyMessageEvents: with a client that speaks only XEP-0022 (the
// seed's jabber:x:event), our session answers its request for composing
// events when the user types (and cancels it on a pause), and shows its
// composing events and their cancellation as typing / stopped typing.
func TestLegacyMessageEvents(t *testing.T) {
	srv := prosody(t)
	a := newUser(t, srv)
	a.connect()
	got := make(chan *stanza.Message, 16)
	mux := &xmpp.Mux{}
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { got <- m })
	peer := xmpptest.Dial(t, srv, mux)
	peerJID := peer.JID()

	// The old client writes, asking for composing events.
	mark := a.rec.Mark()
	m := stanza.NewMessage(stanza.Attrs{To: a.jid, Type: stanza.MessageTypeChat})
	m.Body = "Salut, tu es là ?"
	chatstate.RequestLegacyComposing(&m)
	if err := peer.Send(m); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "its message", func(e Event) bool { _, ok := e.(MessageReceived); return ok })

	// We type: it gets a composing event for its message; a pause cancels it.
	a.s.Typing(peerJID, TypingTyped)
	want := func(what string, f func(chatstate.LegacyEvent) bool) {
		t.Helper()
		deadline := time.After(15 * time.Second)
		for {
			select {
			case in := <-got:
				if ev, ok := chatstate.LegacyOf(*in); ok && f(ev) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s", what)
			}
		}
	}
	want("composing event", func(ev chatstate.LegacyEvent) bool { return ev.Kind == chatstate.EventComposing && ev.ID == m.Id })
	a.s.Typing(peerJID, TypingCleared)
	want("cancellation", func(ev chatstate.LegacyEvent) bool { return ev.Kind == chatstate.EventCancel && ev.ID == m.Id })

	// It types an answer to ours, then stops: we show both.
	mark = a.rec.Mark()
	sent, err := a.s.SendMessage(peerJID, TypeChat, "", "Oui !")
	if err != nil {
		t.Fatal(err)
	}
	composing := chatstate.LegacyComposing(a.jid, sent.OriginID)
	peer.Send(composing)
	a.rec.WaitFrom(t, mark, "its composing", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.State == ChatComposing && cs.Legacy
	})
	peer.Send(chatstate.LegacyCancel(a.jid, sent.OriginID))
	a.rec.WaitFrom(t, mark, "its pause", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.State == ChatPaused && cs.Legacy
	})
}
