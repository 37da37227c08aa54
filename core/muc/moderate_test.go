package muc

import (
	"context"
	"errors"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestRoomModeration: on Prosody (with mod_muc_moderation, XEP-0425
// 0.2), Alice, who made the room and so moderates it, has the room take
// back Bob's message; Bob's and Alice's clients keep a tombstone marked
// as a moderator's; Bob, no moderator, may not. ejabberd 23.01 takes no
// moderations: the action is not offered, and asked for, it says so.
func TestRoomModeration(t *testing.T) {
	t.Run("prosody", func(t *testing.T) {
		srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
		a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
		a.Connect(t)
		b.Connect(t)
		ar, br := Of(a.Session), Of(b.Session)
		room := newRoomName(srv, "moderation")
		enter(t, a, room, "Alice")
		waitForRoom(t, br, room)
		enter(t, b, room, "Bob")
		// Alice learns what the room takes once she made it.
		waitFor(t, "Alice may moderate", func() bool { return ar.CanModerate(room) })
		if br.CanModerate(room) {
			t.Fatal("Bob may moderate")
		}
		mark := a.Events.Mark()
		spam, err := br.Say(room, "Potions magiques gratuites !")
		if err != nil {
			t.Fatal(err)
		}
		got := a.Events.WaitFrom(t, mark, "Alice gets it", roomBody(room, spam.Body)).(MessageReceived).Message
		if got.StanzaID == "" {
			t.Fatal("no stanza-id")
		}
		// Bob cannot.
		hers, _ := ar.Say(room, "Bienvenue")
		hersAtB := b.Events.Wait(t, "Bob gets Alice's", roomBody(room, "Bienvenue")).(MessageReceived).Message
		if err := br.Moderate(t.Context(), room, hersAtB, ""); err == nil {
			t.Fatal("Bob moderated")
		}
		amark, bmark := a.Events.Mark(), b.Events.Mark()
		if err := ar.Moderate(t.Context(), room, got, "spam"); err != nil {
			t.Fatal(err)
		}
		gone := func(u *coretest.User, mark int, id int64) {
			t.Helper()
			u.Events.WaitFrom(t, mark, u.JID+"'s tombstone", func(e core.Event) bool {
				r, ok := e.(core.MessageRetracted)
				return ok && r.Message.ID == id && r.Message.Moderated
			})
			m, _ := u.Client.Store().Get(id)
			if !m.Retracted || !m.Moderated || m.Body != "" {
				t.Fatalf("%s keeps %+v", u.JID, m)
			}
		}
		gone(a, amark, got.ID)
		gone(b, bmark, spam.ID)
		if m, _ := a.Client.Store().Get(hers.ID); m.Retracted {
			t.Fatal("Alice's own went too")
		}
	})
	t.Run("ejabberd", func(t *testing.T) {
		srv := testserver.Shared(t, testserver.Ejabberd, testserver.Options{})
		a := coretest.NewUser(t, srv, Feature)
		a.Connect(t)
		ar := Of(a.Session)
		room := newRoomName(srv, "moderation")
		enter(t, a, room, "Alice")
		info, err := ar.Info(t.Context(), room)
		if err != nil || info.Moderation != "" || ar.CanModerate(room) {
			t.Fatalf("ejabberd 23.01 takes moderations? %+v %v", info, err)
		}
		err = ar.Moderate(context.Background(), room, history.Message{Type: "groupchat", StanzaID: "x"}, "")
		if !errors.Is(err, ErrNoModeration) {
			t.Fatalf("Moderate: %v", err)
		}
	})
}
