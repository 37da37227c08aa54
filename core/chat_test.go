package core

import (
	"context"
	"crypto/tls"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/correct"
	"github.com/causerie/causerie/core/xmpp/sid"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

// TestLiveChat: between two real clients on both servers, a message is
// delivered (XEP-0184 receipt), typing shows (XEP-0085, once the peer is
// known to support it), and the last message is corrected (XEP-0308),
// while a correction from another resource is not applied.
func TestLiveChat(t *testing.T) { bothServers(t, testLiveChat) }

func testLiveChat(t *testing.T, srv *testserver.Server) {
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)

	// B writes first: its message carries <active/> (implicit discovery),
	// so A learns that B's client takes chat states.
	mark := a.rec.Mark()
	if _, err := b.s.SendMessage(a.jid, TypeChat, "", "Salut !"); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "b's active state", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.JID == b.jid && cs.State == ChatActive
	})

	// A types: B sees composing.
	mark = b.rec.Mark()
	a.s.Typing(b.jid, TypingTyped)
	b.rec.WaitFrom(t, mark, "a composing", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.JID == a.jid && cs.State == ChatComposing
	})
	a.s.Typing(b.jid, TypingTyped) // not sent again

	// A sends: B gets the message with active, A gets the receipt.
	mark = b.rec.Mark()
	aMark := a.rec.Mark()
	sent, err := a.s.SendMessage(b.jid, TypeChat, "", "Tu as vu Milou ?")
	if err != nil {
		t.Fatal(err)
	}
	b.rec.WaitFrom(t, mark, "a active with the message", func(e Event) bool {
		cs, ok := e.(ChatStateChanged)
		return ok && cs.JID == a.jid && cs.State == ChatActive
	})
	a.rec.WaitFrom(t, aMark, "delivered", func(e Event) bool {
		st, ok := e.(MessageStateChanged)
		return ok && st.ID == sent.ID && st.State == history.StateDelivered
	})
	var composing int
	for _, e := range b.rec.Since(mark) {
		if cs, ok := e.(ChatStateChanged); ok && cs.State == ChatComposing {
			composing++
		}
	}
	if composing != 0 {
		t.Errorf("composing sent %d more times", composing)
	}

	// A corrects it: B's copy is replaced, not duplicated.
	mark = b.rec.Mark()
	if _, err := a.s.CorrectMessage(context.Background(), sent.ID, "Tu as vu Milou ce matin ?"); err != nil {
		t.Fatal(err)
	}
	ev := b.rec.WaitFrom(t, mark, "correction", func(e Event) bool { _, ok := e.(MessageCorrected); return ok }).(MessageCorrected)
	if ev.Message.Body != "Tu as vu Milou ce matin ?" || !ev.Message.Corrected {
		t.Fatalf("corrected: %+v", ev.Message)
	}
	msgs, _ := b.s.History(a.jid, 10)
	var fromA []string
	for _, m := range msgs {
		if m.Direction == history.In {
			fromA = append(fromA, m.Body)
		}
	}
	if len(fromA) != 1 || fromA[0] != "Tu as vu Milou ce matin ?" {
		t.Fatalf("b's history: %q", fromA)
	}
	if mine, _ := a.s.History(b.jid, 10); mine[len(mine)-1].Body != "Tu as vu Milou ce matin ?" || !mine[len(mine)-1].Corrected {
		t.Fatalf("a's history: %+v", mine[len(mine)-1])
	}
	// Only the last message is correctable.
	if _, err := a.s.SendMessage(b.jid, TypeChat, "", "Autre chose"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.s.CorrectMessage(context.Background(), sent.ID, "trop tard"); err != ErrNotCorrectable {
		t.Errorf("correcting an older message: %v", err)
	}

	// Another resource of A claims to correct it: stored as a new message.
	other, err := xmpp.Dial(context.Background(), xmpp.Config{JID: a.jid, Password: a.pass, Resource: "other",
		Host: srv.Host, Port: srv.Port, TLSConfig: &tls.Config{RootCAs: srv.CertPool}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mark = b.rec.Mark()
	m := stanza.NewMessage(stanza.Attrs{To: b.jid, Type: stanza.MessageTypeChat})
	m.Body = "Falsifié"
	sid.Add(&m, sid.New())
	correct.Replace(&m, sent.OriginID)
	other.Send(m)
	got := b.rec.WaitFrom(t, mark, "the other resource's message", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Body == "Falsifié"
	}).(MessageReceived)
	if got.Message.Corrected {
		t.Error("stored as a correction")
	}
	if m, _ := b.s.client.store.Get(ev.Message.ID); m.Body != "Tu as vu Milou ce matin ?" {
		t.Errorf("the original was replaced: %q", m.Body)
	}
}

// TestNoGoroutineOutlivesSession: the typing-notification sender a
// session starts when it first sends a chat state ends when the session
// stops: on Disconnect, and on RemoveAccount after signing in again.
func TestNoGoroutineOutlivesSession(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	mutual(t, a, b)
	senders := func() int {
		buf := make([]byte, 4<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "core.sendNotifications(")
	}
	waitSenders := func(what string, want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); senders() != want; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d notification senders running, want %d", what, senders(), want)
			}
		}
	}
	typed := func(what string) {
		t.Helper()
		// b writes, so a knows b's client takes chat states; then a types.
		mark := a.rec.Mark()
		if _, err := b.s.SendMessage(a.jid, TypeChat, "", what); err != nil {
			t.Fatal(err)
		}
		a.rec.WaitFrom(t, mark, "b's message", func(e Event) bool {
			m, ok := e.(MessageReceived)
			return ok && m.Message.Body == what
		})
		mark = b.rec.Mark()
		a.s.Typing(b.jid, TypingTyped)
		b.rec.WaitFrom(t, mark, "a composing", func(e Event) bool {
			cs, ok := e.(ChatStateChanged)
			return ok && cs.JID == a.jid && cs.State == ChatComposing
		})
		a.s.Typing(b.jid, TypingCleared)
	}

	typed("first")
	waitSenders("a typed", 1)
	a.s.Disconnect()
	waitSenders("after Disconnect", 0)

	a.connect()
	typed("second")
	waitSenders("a typed again", 1)
	if err := a.client.RemoveAccount(context.Background(), a.jid, false); err != nil {
		t.Fatal(err)
	}
	waitSenders("after RemoveAccount", 0)
}
