package core

import (
	"context"
	"encoding/xml"
	"slices"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

// TestBouncedWithoutText: an error for a stanza of ours without text that
// we did not store (a receipt a contact's vanished device could not take:
// ejabberd bounces its queue with "User session terminated") is not shown
// as a failed message; an error with text that we cannot place still is.
// (Prosody does not pass on a client's error without text: there the
// test shows only the second half.)
func TestBouncedWithoutText(t *testing.T) { bothServers(t, testBouncedWithoutText) }

func testBouncedWithoutText(t *testing.T, srv *testserver.Server) {
	a := newUser(t, srv)
	a.connect()
	peer := xmpptest.Dial(t, srv, &xmpp.Mux{})
	bounce := func(id, body string) {
		m := stanza.NewMessage(stanza.Attrs{To: a.s.JID(), Type: stanza.MessageTypeError, Id: id})
		m.Body = body
		m.Error = stanza.Err{Type: stanza.ErrorTypeCancel, Reason: "service-unavailable", Text: "User session terminated"}
		if err := peer.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	mark := a.rec.Mark()
	bounce("receipt-1", "")
	bounce("unknown-2", "Salut !")
	got := a.rec.WaitFrom(t, mark, "the error with text", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Type == "error"
	}).(MessageReceived).Message
	if got.Body != "Salut !" || got.State != history.StateError {
		t.Fatalf("shown: %+v", got)
	}
	hist, err := a.s.History(xmpp.BareJID(peer.JID()), 10)
	if err != nil || len(hist) != 1 || !slices.ContainsFunc(hist, func(m history.Message) bool { return m.Body == "Salut !" }) {
		t.Fatalf("history: %+v %v", hist, err)
	}
}

// TestConfirmedAfterBounce: a message to an account with two devices
// reaches one, while the server bounces the copy a dying session of the
// other held (Prosody's delivery failure, with the message's text). The
// bounce marks it failed; the receipt that follows from the device that
// got it marks it delivered; a late bounce after that changes nothing.
func TestConfirmedAfterBounce(t *testing.T) { bothServers(t, testConfirmedAfterBounce) }

func testConfirmedAfterBounce(t *testing.T, srv *testserver.Server) {
	a := newUser(t, srv)
	a.connect()
	got := make(chan *stanza.Message, 4)
	mux := &xmpp.Mux{}
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) {
		if m.Body != "" {
			got <- m
		}
	})
	peer := xmpptest.Dial(t, srv, mux)
	if err := peer.Send(&stanza.Presence{XMLName: xml.Name{Local: "presence"}}); err != nil {
		t.Fatal(err)
	}
	if err := peer.Ping(context.Background(), srv.Domain); err != nil {
		t.Fatal(err)
	}
	mine, err := a.s.SendMessage(xmpp.BareJID(peer.JID()), TypeChat, "", "Tu as reçu ?")
	if err != nil {
		t.Fatal(err)
	}
	var in *stanza.Message
	select {
	case in = <-got:
	case <-time.After(15 * time.Second):
		t.Fatal("the peer got nothing")
	}
	state := func(st history.State, what string) {
		t.Helper()
		a.rec.Wait(t, what, func(e Event) bool {
			c, ok := e.(MessageStateChanged)
			return ok && c.ID == mine.ID && c.State == st
		})
	}
	bounce := func() {
		m := stanza.NewMessage(stanza.Attrs{To: a.s.JID(), Type: stanza.MessageTypeError, Id: in.Id})
		m.Body = in.Body
		m.Error = stanza.Err{Type: stanza.ErrorTypeCancel, Reason: "service-unavailable"}
		if err := peer.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	bounce()
	state(history.StateError, "marked failed")
	receipt := stanza.NewMessage(stanza.Attrs{To: a.s.JID()})
	receipt.Extensions = append(receipt.Extensions, &stanza.ReceiptReceived{ID: in.Id})
	if err := peer.Send(receipt); err != nil {
		t.Fatal(err)
	}
	state(history.StateDelivered, "marked delivered")
	mark := a.rec.Mark()
	bounce()
	// A barrier: a message after the late bounce.
	hello := stanza.NewMessage(stanza.Attrs{To: a.s.JID(), Type: stanza.MessageTypeChat})
	hello.Body = "barrière"
	peer.Send(hello)
	a.rec.WaitFrom(t, mark, "the message after", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Body == "barrière"
	})
	if m, _ := a.client.Store().Get(mine.ID); m.State != history.StateDelivered {
		t.Errorf("after a late bounce: %v %q", m.State, m.Error)
	}
}
