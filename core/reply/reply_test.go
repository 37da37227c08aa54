package reply_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/reply"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestReplies, on both servers, between two of our clients: B answers
// A's message; A stores the answer with what it answers (found in A's
// history by the id the answer names) and its quotation apart from its
// text; a second device of A's, reading the archive, stores A's own
// answer to B's next message the same way.
func TestReplies(t *testing.T) { coretest.BothArchived(t, testReplies) }

func testReplies(t *testing.T, srv *testserver.Server) {
	a, b := coretest.Pair(t, srv, reply.Feature)
	mark := b.Events.Mark()
	orig, err := a.Session.SendMessage(b.JID, core.TypeChat, "", "Un gâteau ?\nAu chocolat ✓")
	if err != nil {
		t.Fatal(err)
	}
	got := b.Received(t, mark, history.In, orig.Body)
	mark = a.Events.Mark()
	sent, err := reply.Of(b.Session).Send(a.JID, "Bonne idée !", got)
	if err != nil {
		t.Fatal(err)
	}
	if sent.ReplyID == "" || sent.Body != "Bonne idée !" {
		t.Fatalf("sent %+v", sent)
	}
	ans := a.Received(t, mark, history.In, "Bonne idée !")
	if ans.ReplyQuote != "Un gâteau ?\nAu chocolat ✓" || ans.ReplyTo == "" {
		t.Fatalf("stored %+v", ans)
	}
	found, ok, err := a.Client.Store().FindReferenced(a.JID, b.JID, ans.ReplyID)
	if err != nil || !ok || found.ID != orig.ID {
		t.Fatalf("the message answered: %+v %v %v (want %d)", found, ok, err, orig.ID)
	}

	// A answers B; A's other device reads it from the archive.
	mark = a.Events.Mark()
	if _, err := b.Session.SendMessage(a.JID, core.TypeChat, "", "Pour ce soir ?"); err != nil {
		t.Fatal(err)
	}
	q := a.Received(t, mark, history.In, "Pour ce soir ?")
	mark = b.Events.Mark()
	if _, err := reply.Of(a.Session).Send(b.JID, "Oui, pour ce soir.", q); err != nil {
		t.Fatal(err)
	}
	b.Received(t, mark, history.In, "Oui, pour ce soir.")
	other := coretest.Login(t, srv, a.JID, a.Password, mam.Feature, reply.Feature)
	omark := other.Events.Mark()
	other.Connect(t)
	defer func() {
		if t.Failed() {
			for _, e := range other.Events.Since(omark) {
				t.Logf("%T %+v", e, e)
			}
		}
	}()
	mine := other.Received(t, omark, history.Out, "Oui, pour ce soir.")
	if mine.ReplyQuote != "Pour ce soir ?" || mine.ReplyID == "" {
		t.Fatalf("from the archive: %+v", mine)
	}
	theirs, ok, err := other.Client.Store().FindReferenced(a.JID, b.JID, mine.ReplyID)
	if err != nil || !ok || theirs.Body != "Pour ce soir ?" {
		t.Fatalf("from the archive, the message answered: %+v %v %v", theirs, ok, err)
	}
}

// TestRepliesWithSlixmpp, on both servers: slixmpp (its xep_0461, and
// the fallback namespace of its time) and our client answer each other's
// messages.
func TestRepliesWithSlixmpp(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		t.Parallel()
		a := coretest.NewUser(t, srv, reply.Feature)
		a.Connect(t)
		p := slixpeer.StartNew(t, srv, slixpeer.Options{Resource: "slix"})
		mark := a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "send", To: a.JID, Body: "We should bake a cake", ID: "message-id1"})
		cake := a.Received(t, mark, history.In, "We should bake a cake")

		pm := p.Mark()
		if _, err := reply.Of(a.Session).Send(p.Bare, "Great idea!", cake); err != nil {
			t.Fatal(err)
		}
		ev := p.WaitFrom(t, pm, "our answer", func(e slixpeer.Event) bool {
			return e.Event == "message" && strings.HasSuffix(e.Body, "Great idea!")
		})
		fb := "> We should bake a cake\n"
		if ev.ReplyID != "message-id1" || ev.ReplyTo != p.JID || ev.Body != fb+"Great idea!" || ev.FallbackEnd != utf8.RuneCountInString(fb) {
			t.Fatalf("slixmpp got %+v", ev)
		}

		// slixmpp answers our answer: it names it by its id.
		mine, _, _ := a.Client.Store().LatestBy(a.JID, p.Bare, history.Out)
		mark = a.Events.Mark()
		p.Do(t, slixpeer.Command{Cmd: "send", To: a.JID, Body: "Au chocolat !", ReplyID: mine.OriginID, ReplyTo: a.JID, Quote: "Great idea!"})
		ans := a.Received(t, mark, history.In, "Au chocolat !")
		if ans.ReplyID != mine.OriginID || ans.ReplyQuote != "Great idea!" {
			t.Fatalf("stored %+v", ans)
		}
		if m, ok, _ := a.Client.Store().FindReferenced(a.JID, p.Bare, ans.ReplyID); !ok || m.ID != mine.ID {
			t.Fatalf("the message answered: %+v %v", m, ok)
		}
	})
}
