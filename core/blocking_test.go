package core

import (
	"context"
	"slices"
	"testing"

	"github.com/causerie/causerie/internal/testserver"
)

// TestBlocking: A blocks B; B's message never reaches A; A's other session
// follows the list through pushes; unblocking restores delivery.
func TestBlocking(t *testing.T) { bothServers(t, testBlocking) }

func blockListIs(want ...string) func(Event) bool {
	return func(e Event) bool {
		b, ok := e.(BlockListChanged)
		return ok && slices.Equal(b.Blocked, want)
	}
}

func testBlocking(t *testing.T, srv *testserver.Server) {
	ctx := context.Background()
	a, b := newUser(t, srv), newUser(t, srv)
	a.connect()
	b.connect()
	a2 := newEnv(t, srv, a.jid, a.pass, "")
	a2.connect()
	if ok, err := a.s.BlockingSupported(ctx); !ok || err != nil {
		t.Fatalf("blocking supported: %v %v", ok, err)
	}
	// Both sessions fetched the (empty) list at login.
	a.rec.Wait(t, "a: empty list", blockListIs())
	a2.rec.Wait(t, "a2: empty list", blockListIs())

	mark := a2.rec.Mark()
	if err := a.s.Block(ctx, b.jid); err != nil {
		t.Fatal(err)
	}
	if l, err := a.s.BlockList(ctx); err != nil || !slices.Equal(l, []string{b.jid}) {
		t.Fatalf("block list %v %v", l, err)
	}
	a2.rec.WaitFrom(t, mark, "a2: b blocked", blockListIs(b.jid))
	if l, _ := a2.s.BlockList(ctx); !slices.Equal(l, []string{b.jid}) {
		t.Fatalf("a2's list %v", l)
	}

	// B writes; a ping round trip from B to A's account, then one from A
	// to its server, and the message would have been stored by then.
	if _, err := b.s.SendMessage(a.jid, TypeChat, "", "tu m'entends ?"); err != nil {
		t.Fatal(err)
	}
	connOf(b).Ping(ctx, a.jid) // an error answer is an answer too
	if err := connOf(a).Ping(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if h, _ := a.s.History(b.jid, 10); len(h) != 0 {
		t.Fatalf("a stored a message from someone blocked: %+v", h)
	}

	mark = a2.rec.Mark()
	if err := a.s.Unblock(ctx, b.jid); err != nil {
		t.Fatal(err)
	}
	a2.rec.WaitFrom(t, mark, "a2: b unblocked", blockListIs())
	if l, _ := a.s.BlockList(ctx); len(l) != 0 {
		t.Fatalf("list after unblock %v", l)
	}
	if _, err := b.s.SendMessage(a.jid, TypeChat, "", "et maintenant ?"); err != nil {
		t.Fatal(err)
	}
	a.rec.Wait(t, "a receives b's message", func(e Event) bool {
		r, ok := e.(MessageReceived)
		return ok && r.Message.Body == "et maintenant ?"
	})
	if err := a.s.Block(ctx, "not a jid"); err == nil {
		t.Fatal("blocked an invalid address")
	}
}
