package muc

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

// TestPrivateMessages (XEP-0045 §7.5): A writes to B alone through the
// room; B has it in the room's conversation, from A's nick, and C does
// not; A's is acknowledged; B answers. A slixmpp occupant gets ours and
// its own reach us. A nick no one has is refused before anything is
// sent. Where the room names its occupants (XEP-0421, Prosody), each
// message keeps the sender's occupant id, the same for the same sender
// whatever their nick.
func TestPrivateMessages(t *testing.T) { coretest.BothServers(t, testPrivateMessages) }

func privateFrom(room, nick, body string) func(core.Event) bool {
	return func(e core.Event) bool {
		m, ok := e.(MessageReceived)
		return ok && m.Message.Peer == room && m.Message.Type == "chat" && m.Message.Resource == nick &&
			m.Message.Direction == history.In && m.Message.Body == body
	}
}

func testPrivateMessages(t *testing.T, srv *testserver.Server) {
	a, b, c := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	c.Connect(t)
	ar, br := Of(a.Session), Of(b.Session)
	room := newRoomName(srv, "prive")
	enter(t, a, room, "Alice")
	waitForRoom(t, ar, room)
	enter(t, b, room, "Bob")
	enter(t, c, room, "Carl")
	d := slixpeer.StartNew(t, srv, slixpeer.Options{})
	d.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<presence to='%s/Dora'><x xmlns='http://jabber.org/protocol/muc'/></presence>`, room)})
	a.Events.Wait(t, "Dora in the room", func(e core.Event) bool {
		o, ok := e.(OccupantChanged)
		return ok && o.Room == room && o.Occupant.Nick == "Dora" && !o.Gone
	})
	waitFor(t, "Bob in A's list", func() bool {
		return slices.ContainsFunc(ar.Occupants(room), func(o Occupant) bool { return o.Nick == "Bob" })
	})

	mark := a.Events.Mark()
	sent, err := ar.SayPrivately(room, "Bob", "Rien qu'à toi")
	if err != nil {
		t.Fatal(err)
	}
	if sent.Type != "chat" || sent.Resource != "Bob" || sent.Direction != history.Out || sent.Peer != room {
		t.Fatalf("as A stored it: %+v", sent)
	}
	a.Events.WaitFrom(t, mark, "A's private message acknowledged", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		return ok && s.ID == sent.ID && s.State == history.StateAcked
	})
	b.Events.Wait(t, "B gets it", privateFrom(room, "Alice", "Rien qu'à toi"))
	if _, err := br.SayPrivately(room, "Alice", "Bien reçu"); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "A gets B's answer", privateFrom(room, "Bob", "Bien reçu"))

	// The slixmpp occupant.
	if _, err := ar.SayPrivately(room, "Dora", "Et toi ?"); err != nil {
		t.Fatal(err)
	}
	ev := d.WaitFor(t, "Dora gets it", func(e slixpeer.Event) bool { return e.Event == "message" && e.Body == "Et toi ?" })
	if ev.From != room+"/Alice" || ev.Type != "chat" {
		t.Fatalf("at Dora's: %+v", ev)
	}
	d.Do(t, slixpeer.Command{Cmd: "send", To: room + "/Alice", Type: "chat", Body: "Moi aussi"})
	a.Events.Wait(t, "A gets Dora's", privateFrom(room, "Dora", "Moi aussi"))

	// A private message is never taken for the room declining an
	// invitation, even with the element that would say so.
	mark = a.Events.Mark()
	b.Conn(t).SendRaw([]byte(fmt.Sprintf(`<message to='%s/Alice' type='chat'><body>Faux refus</body>`+
		`<x xmlns='http://jabber.org/protocol/muc#user'><decline from='%s'><reason>non</reason></decline></x></message>`, room, c.JID)))
	a.Events.WaitFrom(t, mark, "B's message", privateFrom(room, "Bob", "Faux refus"))
	for _, e := range a.Events.Since(mark) {
		if d, ok := e.(Declined); ok {
			t.Fatalf("an occupant's message read as a decline: %+v", d)
		}
	}

	if _, err := ar.SayPrivately(room, "Personne", "?"); !errors.Is(err, ErrNoOccupant) {
		t.Fatalf("to a nick no one has: %v", err)
	}

	// C saw none of it; every message is stored once where it should.
	if _, err := ar.Say(room, "Fin"); err != nil {
		t.Fatal(err)
	}
	c.Events.Wait(t, "C gets the room's message", roomBody(room, "Fin"))
	ch, _ := c.Session.History(room, 20)
	for _, m := range ch {
		if m.Type != "groupchat" {
			t.Errorf("C has a private message: %+v", m)
		}
	}
	count := func(u *coretest.User, typ string) int {
		ms, _ := u.Session.History(room, 50)
		n := 0
		for _, m := range ms {
			if m.Type == typ {
				n++
			}
		}
		return n
	}
	if n := count(a, "chat"); n != 5 {
		t.Errorf("A's private messages: %d, want 5", n)
	}
	if n := count(b, "chat"); n != 2 {
		t.Errorf("B's private messages: %d, want 2", n)
	}

	// Occupant ids.
	info, err := ar.Info(t.Context(), room)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Kind == testserver.Prosody && !info.OccupantIDs {
		t.Fatal("Prosody's room does not name its occupants (XEP-0421)")
	}
	if _, err := br.Say(room, "Un"); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "B's first", roomBody(room, "Un"))
	if err := br.ChangeNick(room, "Robert"); err != nil {
		t.Fatal(err)
	}
	b.Events.Wait(t, "B's new nick", func(e core.Event) bool {
		o, ok := e.(OccupantChanged)
		return ok && o.Room == room && o.Occupant.Nick == "Robert"
	})
	if _, err := br.Say(room, "Deux"); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "B's second", roomBody(room, "Deux"))
	ids := map[string]string{}
	ms, _ := a.Session.History(room, 50)
	for _, m := range ms {
		if m.Direction == history.In {
			ids[m.Body] = m.OccupantID
		}
	}
	if !info.OccupantIDs {
		for body, id := range ids {
			if id != "" {
				t.Errorf("%q has occupant id %q from a room that gives none", body, id)
			}
		}
		return
	}
	if ids["Un"] == "" || ids["Un"] != ids["Deux"] || ids["Un"] != ids["Bien reçu"] || ids["Un"] == ids["Moi aussi"] {
		t.Errorf("occupant ids: %q", ids)
	}
}
