package core

import (
	"context"
	"slices"
	"testing"

	"github.com/causerie/causerie/core/history"
)

// TestIgnoreStrangers: with IgnoreStrangers on, a stranger's message is
// neither stored nor published (their subscription request still is); a
// contact's is, and so is the reply of someone we wrote to first. Off
// again, the stranger's next message is kept.
func TestIgnoreStrangers(t *testing.T) {
	srv := prosody(t)
	a, x, y, z := newUser(t, srv), newUser(t, srv), newUser(t, srv), newUser(t, srv)
	for _, e := range []*env{a, x, y, z} {
		e.connect()
	}
	mutual(t, a, y)
	setIgnore := func(on bool) {
		t.Helper()
		acct := a.s.Account()
		acct.IgnoreStrangers = on
		if err := a.client.UpdateAccount(acct); err != nil {
			t.Fatal(err)
		}
	}
	setIgnore(true)
	ctx := context.Background()

	// The stranger writes, then asks to see a's presence: the request
	// comes after the message, so when it is seen the message was handled.
	mark := a.rec.Mark()
	if _, err := x.s.SendMessage(a.jid, TypeChat, "", "Achetez mes montres"); err != nil {
		t.Fatal(err)
	}
	if err := x.s.AddContact(ctx, AddContactRequest{JID: a.jid, Subscribe: true}); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "the stranger's request", func(e Event) bool {
		r, ok := e.(SubscriptionRequested)
		return ok && r.Request.From == x.jid
	})
	for _, e := range a.rec.Since(mark) {
		if m, ok := e.(MessageReceived); ok && m.Message.Peer == x.jid {
			t.Fatalf("the stranger's message was published: %+v", m.Message)
		}
	}
	if got := bodiesWith(t, a, x.jid); len(got) != 0 {
		t.Fatalf("the stranger's message was stored: %q", got)
	}

	// A contact's message is kept.
	if _, err := y.s.SendMessage(a.jid, TypeChat, "", "Salut, c'est B"); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "the contact's message", receivedBody("Salut, c'est B"))

	// Someone a wrote to first is no stranger: the reply is kept.
	if _, err := a.s.SendMessage(z.jid, TypeChat, "", "Bonjour, je vous écris de la part de B"); err != nil {
		t.Fatal(err)
	}
	z.rec.Wait(t, "z gets a's message", receivedBody("Bonjour, je vous écris de la part de B"))
	if _, err := z.s.SendMessage(a.jid, TypeChat, "", "Enchanté"); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "z's reply", receivedBody("Enchanté"))

	// Off again: the stranger is heard.
	setIgnore(false)
	if _, err := x.s.SendMessage(a.jid, TypeChat, "", "Dernière offre"); err != nil {
		t.Fatal(err)
	}
	a.rec.WaitFrom(t, mark, "the stranger's message, not ignored", receivedBody("Dernière offre"))
	if got := bodiesWith(t, a, x.jid); !slices.Equal(got, []string{"Dernière offre"}) {
		t.Fatalf("the stranger's messages: %q", got)
	}
	if m, _ := a.s.History(z.jid, 10); len(m) != 2 || m[1].Direction != history.In {
		t.Fatalf("z's conversation: %+v", m)
	}
}
