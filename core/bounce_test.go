package core

import (
	"slices"
	"testing"

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
