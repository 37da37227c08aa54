package muc

import (
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestRoomReplies, on both servers: in a room, B answers A's message and
// A answers B's answer (XEP-0461). Each answer names the message by the
// room's stanza-id, ours included (kept from its reflection), so that
// each side finds in its history the message answered; the quotation is
// apart from the text. A room without stanza-ids (ejabberd without its
// archive) has its messages named by their origin-id.
func TestRoomReplies(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) { testRoomReplies(t, testserver.Shared(t, k, testserver.Options{Archive: true})) })
	}
	t.Run("ejabberd without stanza-ids", func(t *testing.T) {
		testRoomReplies(t, testserver.Shared(t, testserver.Ejabberd, testserver.Options{}))
	})
}

func testRoomReplies(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	ar, br := Of(a.Session), Of(b.Session)
	room := newRoomName(srv, "reponses")
	enter(t, a, room, "Alice")
	waitForRoom(t, br, room)
	enter(t, b, room, "Bob")

	mark := a.Events.Mark()
	first, err := ar.Say(room, "On fait un gâteau ?")
	if err != nil {
		t.Fatal(err)
	}
	a.Events.WaitFrom(t, mark, "A's message reflected", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		return ok && s.ID == first.ID && s.State == history.StateDelivered
	})
	got := b.Events.Wait(t, "B gets it", roomBody(room, "On fait un gâteau ?")).(MessageReceived).Message
	named := got.StanzaID
	if named == "" {
		named = got.OriginID
	}
	mark = a.Events.Mark()
	if _, err := br.SayReply(room, "Oui !", got); err != nil {
		t.Fatal(err)
	}
	ans := a.Events.WaitFrom(t, mark, "A gets B's answer", roomBody(room, "Oui !")).(MessageReceived).Message
	if ans.ReplyID != named || ans.ReplyTo != room+"/Alice" || ans.ReplyQuote != "On fait un gâteau ?" {
		t.Fatalf("A stored %+v", ans)
	}
	orig, ok, err := a.Client.Store().FindReferenced(a.JID, room, ans.ReplyID)
	if err != nil || !ok || orig.ID != first.ID {
		t.Fatalf("A's message answered, by the room's id: %+v %v %v", orig, ok, err)
	}

	// A answers the answer; B finds its own message by the room's id.
	mark = b.Events.Mark()
	if _, err := ar.SayReply(room, "Au chocolat.", ans); err != nil {
		t.Fatal(err)
	}
	back := b.Events.WaitFrom(t, mark, "B gets A's answer", roomBody(room, "Au chocolat.")).(MessageReceived).Message
	mine, ok, err := b.Client.Store().FindReferenced(b.JID, room, back.ReplyID)
	if err != nil || !ok || mine.Body != "Oui !" || mine.Direction != history.Out || back.ReplyTo != room+"/Bob" {
		t.Fatalf("B's message answered: %+v %v %v (answer %+v)", mine, ok, err, back)
	}
}
