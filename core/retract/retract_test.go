package retract_test

import (
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/retract"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/roomtest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"

	wire "github.com/causerie/causerie/core/xmpp/retract"
)

func TestMain(m *testing.M) { testserver.Main(m) }

func retracted(id int64) func(core.Event) bool {
	return func(e core.Event) bool {
		r, ok := e.(core.MessageRetracted)
		return ok && r.Message.ID == id
	}
}

// tombstone checks that u's history keeps message id as a tombstone that
// search does not find by word.
func tombstone(t *testing.T, u *coretest.User, id int64, word string) {
	t.Helper()
	m, err := u.Client.Store().Get(id)
	if err != nil || !m.Retracted || m.Body != "" {
		t.Fatalf("%s keeps %+v %v", u.JID, m, err)
	}
	if res, _ := u.Client.Store().Search(u.JID, "", word, 10); len(res) != 0 {
		t.Fatalf("%s still finds %q", u.JID, word)
	}
}

// TestRetract, on both servers (with their archives): A takes back a
// message; B's client removes it (a tombstone, out of the search), and so
// does A's other device reading the archive; B cannot take back A's
// message; the retraction's fallback text is no message.
func TestRetract(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		a, b := coretest.Pair(t, srv, retract.Feature)
		mark := b.Events.Mark()
		keep, _ := a.Session.SendMessage(b.JID, core.TypeChat, "", "le code est 1234, gardé")
		oops, err := a.Session.SendMessage(b.JID, core.TypeChat, "", "le mot de passe est hunter2")
		if err != nil {
			t.Fatal(err)
		}
		got := b.Received(t, mark, history.In, oops.Body)
		a.Events.Wait(t, "A's message on the server", func(e core.Event) bool {
			s, ok := e.(core.MessageStateChanged)
			return ok && s.ID == oops.ID && s.State >= history.StateAcked
		})
		oops, _ = a.Client.Store().Get(oops.ID)
		if !retract.CanRetract(oops) {
			t.Fatalf("cannot retract %+v", oops)
		}
		amark := a.Events.Mark()
		mark = b.Events.Mark()
		if err := retract.Of(a.Session).Retract(oops); err != nil {
			t.Fatal(err)
		}
		a.Events.WaitFrom(t, amark, "A's own tombstone", retracted(oops.ID))
		b.Events.WaitFrom(t, mark, "B's tombstone", retracted(got.ID))
		tombstone(t, a, oops.ID, "hunter2")
		tombstone(t, b, got.ID, "hunter2")
		for _, e := range b.Events.Since(mark) {
			if r, ok := e.(core.MessageReceived); ok {
				t.Fatalf("the retraction came as a message: %+v", r.Message)
			}
		}

		// B asks to take back A's other message: refused.
		st := stanza.NewMessage(stanza.Attrs{To: a.JID, Type: stanza.MessageTypeChat})
		wire.Set(&st, keep.OriginID)
		if err := b.Conn(t).Send(st); err != nil {
			t.Fatal(err)
		}
		b.Conn(t).Ping(t.Context(), "")
		time.Sleep(300 * time.Millisecond)
		if m, _ := a.Client.Store().Get(keep.ID); m.Retracted || m.Body != keep.Body {
			t.Fatalf("B took back A's message: %+v", m)
		}

		// A's other device reads both from the archive.
		other := coretest.Login(t, srv, a.JID, a.Password, mam.Feature, retract.Feature)
		omark := other.Events.Mark()
		other.Connect(t)
		other.Events.WaitFrom(t, omark, "the catch-up", func(e core.Event) bool { _, ok := e.(mam.CatchUpDone); return ok })
		m, found, err := other.Client.Store().FindByOriginID(a.JID, b.JID, oops.OriginID, history.Out)
		if err != nil || !found {
			t.Fatalf("the other device has no tombstone: %v %v", found, err)
		}
		tombstone(t, other, m.ID, "hunter2")
		if res, _ := other.Client.Store().Search(a.JID, "", "gardé", 10); len(res) != 1 {
			t.Fatalf("the message kept is not found: %d", len(res))
		}
	})
}

// TestRoomRetract, on both servers: in a room, Bob takes back his
// message and Alice's client removes it; Bob cannot take back Alice's.
func TestRoomRetract(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		a, b := coretest.NewUser(t, srv, muc.Feature, retract.Feature), coretest.NewUser(t, srv, muc.Feature, retract.Feature)
		a.Connect(t)
		b.Connect(t)
		ar, br := muc.Of(a.Session), muc.Of(b.Session)
		room := roomtest.New(srv, "retract")
		roomtest.Join(t, a, room, "Alice")
		roomtest.Join(t, b, room, "Bob")
		roomMsg := func(u *coretest.User, mark int, body string) history.Message {
			return roomtest.Message(t, u, mark, body).Message
		}
		amark, bmark := a.Events.Mark(), b.Events.Mark()
		mine, err := br.Say(room, "Oups, mauvais salon")
		if err != nil {
			t.Fatal(err)
		}
		atA := roomMsg(a, amark, mine.Body)
		roomMsg(b, bmark, mine.Body) // our own, published as sent
		b.Events.Wait(t, "reflected", func(e core.Event) bool {
			s, ok := e.(core.MessageStateChanged)
			return ok && s.ID == mine.ID && s.State == history.StateDelivered
		})
		mine, _ = b.Client.Store().Get(mine.ID)
		amark = a.Events.Mark()
		if err := retract.Of(b.Session).Retract(mine); err != nil {
			t.Fatal(err)
		}
		a.Events.WaitFrom(t, amark, "Alice's tombstone", retracted(atA.ID))
		tombstone(t, a, atA.ID, "mauvais")

		// Bob names Alice's message: refused.
		bmark = b.Events.Mark()
		hers, _ := ar.Say(room, "Bienvenue")
		atB := roomMsg(b, bmark, "Bienvenue")
		st := stanza.NewMessage(stanza.Attrs{To: room, Type: stanza.MessageTypeGroupchat})
		id := atB.StanzaID
		if id == "" {
			id = atB.OriginID
		}
		wire.Set(&st, id)
		if err := b.Conn(t).Send(st); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if m, _ := a.Client.Store().Get(hers.ID); m.Retracted {
			t.Fatal("Bob took back Alice's message")
		}
	})
}

// TestRetractWithSlixmpp, on both servers: slixmpp's xep_0424 (the form
// of its version 0.3) takes back its message here; ours reaches it in
// both forms.
func TestRetractWithSlixmpp(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		t.Parallel()
		a := coretest.NewUser(t, srv, retract.Feature)
		a.Connect(t)
		p := slixpeer.StartNew(t, srv, slixpeer.Options{Resource: "slix"})
		mark := a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "send", To: a.JID, Body: "Have not saints lips?", ID: "wrong-recipient-1"})
		got := a.Received(t, mark, history.In, "Have not saints lips?")
		mark = a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "retract", To: a.JID, ReplyID: "wrong-recipient-1"})
		a.Events.WaitFrom(t, mark, "slixmpp's retraction", retracted(got.ID))
		tombstone(t, a, got.ID, "saints")

		mine, err := a.Session.SendMessage(p.Bare, core.TypeChat, "", "pas pour toi")
		if err != nil {
			t.Fatal(err)
		}
		a.Events.Wait(t, "ours on the server", func(e core.Event) bool {
			s, ok := e.(core.MessageStateChanged)
			return ok && s.ID == mine.ID && s.State >= history.StateAcked
		})
		mine, _ = a.Client.Store().Get(mine.ID)
		pm := p.Mark()
		if err := retract.Of(a.Session).Retract(mine); err != nil {
			t.Fatal(err)
		}
		ev := p.WaitFrom(t, pm, "our retraction", func(e slixpeer.Event) bool { return e.Event == "message" && e.Retracts != "" })
		if ev.Retracts != mine.OriginID || ev.Body != wire.FallbackBody {
			t.Fatalf("slixmpp got %+v", ev)
		}
	})
}
