package reactions_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/reactions"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/roomtest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

func reactedBy(sender string, emojis ...string) func(core.Event) bool {
	return func(e core.Event) bool {
		r, ok := e.(core.ReactionsChanged)
		return ok && r.Sender == sender && fmt.Sprint(r.Emojis) == fmt.Sprint(emojis)
	}
}

// stored is what u's history keeps of the reactions to target.
func stored(t *testing.T, u *coretest.User, peer, target string) string {
	t.Helper()
	got, err := u.Client.Store().Reactions(u.JID, peer, []string{target})
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, r := range got[target] {
		out += fmt.Sprintf("%s:%v ", r.Sender, r.Emojis)
	}
	return out
}

// TestReactions, on both servers (with their archives): B reacts to A's
// message, changes its reactions, takes one back; A sees each change,
// and A's other device, reading the archive, keeps B's last set however
// the archive orders them. B's own history keeps B's set too.
func TestReactions(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		a, b := coretest.Pair(t, srv, reactions.Feature)
		mark := b.Events.Mark()
		orig, err := a.Session.SendMessage(b.JID, core.TypeChat, "", "On fait un gâteau ?")
		if err != nil {
			t.Fatal(err)
		}
		got := b.Received(t, mark, history.In, orig.Body)
		target := reactions.Target(got)
		if target != orig.OriginID {
			t.Fatalf("target %q, A's origin-id %q", target, orig.OriginID)
		}
		for _, set := range [][]string{{"👍"}, {"👍", "❤️"}, {"❤️"}} {
			mark := a.Events.Mark()
			if err := reactions.Of(b.Session).React(got, set); err != nil {
				t.Fatal(err)
			}
			a.Events.WaitFrom(t, mark, fmt.Sprint("A sees ", set), reactedBy(b.JID, set...))
			time.Sleep(5 * time.Millisecond) // each set sent at its own time
		}
		if s := stored(t, a, b.JID, target); s != b.JID+":[❤️] " {
			t.Fatalf("A keeps %q", s)
		}
		if s := stored(t, b, a.JID, target); s != b.JID+":[❤️] " {
			t.Fatalf("B keeps %q", s)
		}
		other := coretest.Login(t, srv, a.JID, a.Password, mam.Feature, reactions.Feature)
		omark := other.Events.Mark()
		other.Connect(t)
		other.Events.WaitFrom(t, omark, "the catch-up", func(e core.Event) bool { _, ok := e.(mam.CatchUpDone); return ok })
		if s := stored(t, other, b.JID, target); s != b.JID+":[❤️] " {
			t.Fatalf("from the archive, A's other device keeps %q", s)
		}
	})
}

// TestRoomReactions, on both servers: in a room, B reacts to A's
// message; A sees it (named by the room's id for it, or its origin-id),
// and A's message is the one found by that id.
func TestRoomReactions(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		a, b := coretest.NewUser(t, srv, muc.Feature, reactions.Feature), coretest.NewUser(t, srv, muc.Feature, reactions.Feature)
		a.Connect(t)
		b.Connect(t)
		ar := muc.Of(a.Session)
		room := roomtest.New(srv, "reactions")
		roomtest.Join(t, a, room, "Alice")
		roomtest.Join(t, b, room, "Bob")
		mark := b.Events.Mark()
		sent, err := ar.Say(room, "Qui vient ce soir ?")
		if err != nil {
			t.Fatal(err)
		}
		got := roomtest.Message(t, b, mark, sent.Body).Message
		mark = a.Events.Mark()
		if err := reactions.Of(b.Session).React(got, []string{"🙋"}); err != nil {
			t.Fatal(err)
		}
		ev := a.Events.WaitFrom(t, mark, "A sees Bob's reaction", reactedBy(room+"/Bob", "🙋")).(core.ReactionsChanged)
		if m, ok, err := a.Client.Store().FindReferenced(a.JID, room, ev.Target); err != nil || !ok || m.ID != sent.ID {
			t.Fatalf("the message reacted to: %+v %v %v", m, ok, err)
		}
		if s := stored(t, b, room, ev.Target); s != b.JID+":[🙋] " {
			t.Fatalf("B keeps %q (its own, reflected, is the same)", s)
		}
	})
}

// TestReactionsWithSlixmpp, on both servers: slixmpp's xep_0444 and our
// client react to each other's messages.
func TestReactionsWithSlixmpp(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		t.Parallel()
		a := coretest.NewUser(t, srv, reactions.Feature)
		a.Connect(t)
		p := slixpeer.StartNew(t, srv, slixpeer.Options{Resource: "slix"})
		mark := a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "send", To: a.JID, Body: "Hello, world!", ID: "744f6e18"})
		hello := a.Received(t, mark, history.In, "Hello, world!")
		pm := p.Mark()
		if err := reactions.Of(a.Session).React(hello, []string{"👋", "🐢"}); err != nil {
			t.Fatal(err)
		}
		ev := p.WaitFrom(t, pm, "our reactions", func(e slixpeer.Event) bool { return e.Event == "message" && e.ReactionsTo != "" })
		if ev.ReactionsTo != "744f6e18" || fmt.Sprint(ev.Reactions) != "[👋 🐢]" {
			t.Fatalf("slixmpp got %+v", ev)
		}
		mine, err := a.Session.SendMessage(p.Bare, core.TypeChat, "", "Et toi ?")
		if err != nil {
			t.Fatal(err)
		}
		mark = a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "react", To: a.JID, ReplyID: mine.OriginID, Reactions: []string{"😀"}})
		a.Events.WaitFrom(t, mark, "slixmpp's reaction", reactedBy(p.Bare, "😀"))
		if s := stored(t, a, p.Bare, mine.OriginID); s != p.Bare+":[😀] " {
			t.Fatalf("kept %q", s)
		}
	})
}
