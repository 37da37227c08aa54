package muc

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestRoomArchive (XEP-0313 on a room): C enters a room where A talked,
// for the first time: the room's archive gives what was said (and the
// room gives no history of its own: nothing twice). C says something and
// signs out; A talks on; C signs in again: the room is entered again and
// its archive read since C's last message, page after page, each message
// once and in order, C's own not again.
func TestRoomArchive(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			testRoomArchive(t, testserver.Shared(t, k, testserver.Options{Archive: true}))
		})
	}
}

func testRoomArchive(t *testing.T, srv *testserver.Server) {
	defer func(p int) { roomPage = p }(roomPage)
	roomPage = 2
	// C has the account's archive catch-up too (as the GUI does), whose
	// handler sees the rooms' results first.
	a, c := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, mam.Feature, Feature)
	a.Connect(t)
	c.Connect(t)
	ar, cr := Of(a.Session), Of(c.Session)
	room := newRoomName(srv, "archive")
	enter(t, a, room, "Alice")
	say := func(body string) {
		t.Helper()
		mark := a.Events.Mark()
		m, err := ar.Say(room, body)
		if err != nil {
			t.Fatal(err)
		}
		a.Events.WaitFrom(t, mark, "reflected: "+body, func(e core.Event) bool {
			s, ok := e.(core.MessageStateChanged)
			return ok && s.ID == m.ID && s.State == history.StateDelivered
		})
	}
	waitForRoom(t, cr, room)
	for i := 1; i <= 3; i++ {
		say(fmt.Sprintf("avant %d", i))
	}

	mark := c.Events.Mark()
	if err := cr.Join(room, "Carol", ""); err != nil {
		t.Fatal(err)
	}
	done := c.Events.WaitFrom(t, mark, "C's first catch-up", caughtUp(room)).(CatchUpDone)
	if done.Err != nil || done.Stored != 3 {
		t.Fatalf("first catch-up: %+v", done)
	}
	mine, err := cr.Say(room, "Bonjour, je suis là")
	if err != nil {
		t.Fatal(err)
	}
	c.Events.Wait(t, "C's message reflected", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		return ok && s.ID == mine.ID && s.State == history.StateDelivered
	})
	a.Events.Wait(t, "A gets C's message", roomBody(room, "Bonjour, je suis là"))
	say("en direct")
	live := c.Events.Wait(t, "C gets A's live message", roomBody(room, "en direct")).(MessageReceived)
	if live.Message.StanzaID == "" || live.Archived {
		t.Fatalf("live: %+v", live)
	}

	c.Session.Disconnect()
	for i := 1; i <= 5; i++ {
		say(fmt.Sprintf("pendant %d", i))
	}
	mark = c.Events.Mark()
	c.Session.Connect()
	done = c.Events.WaitFrom(t, mark, "C's second catch-up", caughtUp(room)).(CatchUpDone)
	if done.Err != nil || done.Stored != 5 {
		t.Fatalf("second catch-up: %+v", done)
	}
	msgs, err := c.Session.History(room, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Resource+": "+m.Body)
	}
	want := []string{"Alice: avant 1", "Alice: avant 2", "Alice: avant 3", "Carol: Bonjour, je suis là",
		"Alice: en direct", "Alice: pendant 1", "Alice: pendant 2", "Alice: pendant 3", "Alice: pendant 4", "Alice: pendant 5"}
	if !slices.Equal(got, want) {
		t.Fatalf("C's history of the room:\n%q\nwant\n%q", got, want)
	}
}

func caughtUp(room string) func(core.Event) bool {
	return func(e core.Event) bool { d, ok := e.(CatchUpDone); return ok && d.Room == room }
}

// enter has u join room as nick and waits until it is in.
func enter(t testing.TB, u *coretest.User, room, nick string) {
	t.Helper()
	if err := Of(u.Session).Join(room, nick, ""); err != nil {
		t.Fatal(err)
	}
	u.Events.Wait(t, nick+" in the room", joinedAs(room, nick))
}

// newRoomName is a fresh room's address on srv's group chat service.
func newRoomName(srv *testserver.Server, prefix string) string {
	return fmt.Sprintf("%s%d@conference.%s", prefix, time.Now().UnixNano(), srv.Domain)
}

// waitForRoom waits until room is open to others (an instant room is
// unlocked once configured).
func waitForRoom(t testing.TB, r *Rooms, room string) {
	t.Helper()
	waitFor(t, "the room open", func() bool {
		_, err := r.Info(t.Context(), room)
		return err == nil
	})
}
