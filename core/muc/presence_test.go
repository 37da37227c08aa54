package muc

import (
	"slices"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestPresenceInRoom (XEP-0045 §7.7): the rooms we are in hear our show
// and status when we change them, and a room we enter hears them at
// once; a nick change keeps them, and a change made before the room
// confirmed the new nick goes under it.
func TestPresenceInRoom(t *testing.T) { coretest.BothServers(t, testPresenceInRoom) }

func testPresenceInRoom(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	ar, br := Of(a.Session), Of(b.Session)
	room := newRoomName(srv, "presence")
	enter(t, a, room, "Alice")
	waitForRoom(t, ar, room)
	if err := b.Session.SetPresence(t.Context(), core.Presence{Show: core.ShowDND, Status: "Au téléphone"}); err != nil {
		t.Fatal(err)
	}
	enter(t, b, room, "Bob")
	bob := func(nick, show, status string) func() bool {
		return func() bool {
			return slices.ContainsFunc(ar.Occupants(room), func(o Occupant) bool {
				return o.Nick == nick && o.Show == show && o.Status == status
			})
		}
	}
	waitFor(t, "Bob busy on arrival", bob("Bob", "dnd", "Au téléphone"))
	if err := b.Session.SetPresence(t.Context(), core.Presence{Show: core.ShowAway, Status: "En réunion"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Bob away", bob("Bob", "away", "En réunion"))
	if err := br.ChangeNick(room, "Robert"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Robert still away", bob("Robert", "away", "En réunion"))
	if err := b.Session.SetPresence(t.Context(), core.Presence{Show: core.ShowAvailable}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Robert back", bob("Robert", "", ""))

	// A presence change right after a nick change, before the room has
	// answered it: it goes under the new nick (under the old one, the
	// room would take it for a change back).
	if err := br.ChangeNick(room, "Bobby"); err != nil {
		t.Fatal(err)
	}
	if err := b.Session.SetPresence(t.Context(), core.Presence{Show: core.ShowAway, Status: "Parti"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Bobby away", bob("Bobby", "away", "Parti"))
	if slices.ContainsFunc(ar.Occupants(room), func(o Occupant) bool { return o.Nick == "Robert" }) {
		t.Fatal("the nick went back")
	}
}
