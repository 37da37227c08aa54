package blocking

import (
	"context"
	"slices"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestBlocking: A blocks B; B's message never reaches A; A's other session
// follows the list through pushes; unblocking restores delivery.
func TestBlocking(t *testing.T) { coretest.BothServers(t, testBlocking) }

func listIs(want ...string) func(core.Event) bool {
	return func(e core.Event) bool {
		b, ok := e.(Changed)
		return ok && slices.Equal(b.Blocked, want)
	}
}

func testBlocking(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	a2 := coretest.Login(t, srv, a.JID, a.Password, Feature)
	a2.Connect(t)
	al, a2l := Of(a.Session), Of(a2.Session)
	if ok, err := al.Supported(ctx); !ok || err != nil {
		t.Fatalf("blocking supported: %v %v", ok, err)
	}
	// Both sessions fetched the (empty) list at login.
	a.Events.Wait(t, "a: empty list", listIs())
	a2.Events.Wait(t, "a2: empty list", listIs())

	mark := a2.Events.Mark()
	if err := al.Block(ctx, b.JID); err != nil {
		t.Fatal(err)
	}
	if l, err := al.Blocked(ctx); err != nil || !slices.Equal(l, []string{b.JID}) {
		t.Fatalf("block list %v %v", l, err)
	}
	ev := a2.Events.WaitFrom(t, mark, "a2: b blocked", listIs(b.JID))
	if l, _ := a2l.Blocked(ctx); !slices.Equal(l, []string{b.JID}) {
		t.Fatalf("a2's list %v", l)
	}
	if core.AccountOf(ev) != a.JID {
		t.Errorf("event for account %q, want %q", core.AccountOf(ev), a.JID)
	}

	// B writes; a ping round trip from B to A's account, then one from A
	// to its server, and the message would have been stored by then.
	if _, err := b.Session.SendMessage(a.JID, core.TypeChat, "", "tu m'entends ?"); err != nil {
		t.Fatal(err)
	}
	b.Conn(t).Ping(ctx, a.JID) // an error answer is an answer too
	if err := a.Conn(t).Ping(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if h, _ := a.Session.History(b.JID, 10); len(h) != 0 {
		t.Fatalf("a stored a message from someone blocked: %+v", h)
	}

	mark = a2.Events.Mark()
	if err := al.Unblock(ctx, b.JID); err != nil {
		t.Fatal(err)
	}
	a2.Events.WaitFrom(t, mark, "a2: b unblocked", listIs())
	if l, _ := al.Blocked(ctx); len(l) != 0 {
		t.Fatalf("list after unblock %v", l)
	}
	if _, err := b.Session.SendMessage(a.JID, core.TypeChat, "", "et maintenant ?"); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "a receives b's message", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Body == "et maintenant ?"
	})
	if err := al.Block(ctx, "not a jid"); err == nil {
		t.Fatal("blocked an invalid address")
	}
}

// TestNotAttached: a session of a client made without the feature has no
// block list, and nothing breaks.
func TestNotAttached(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	u := coretest.NewUser(t, srv)
	if Of(u.Session) != nil {
		t.Fatal("a block list without the feature")
	}
}
