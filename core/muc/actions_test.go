package muc

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestRoomActions: what the GUI asks of a room. Our own message is
// published at once as ours, then sent and delivered; the room shows in
// the list and in the service's public rooms with its occupants; a
// direct invitation reaches B with the room's address; a nick in use is
// refused without leaving the room, a free one taken (B sees the change);
// A bans B, and B is told.
func TestRoomActions(t *testing.T) { coretest.BothServers(t, testRoomActions) }

func testRoomActions(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	ar, br := Of(a.Session), Of(b.Session)
	room := newRoomName(srv, "atelier")
	enter(t, a, room, "Alice")
	if !ar.IsRoom(room) || ar.IsRoom(b.JID) {
		t.Fatal("IsRoom")
	}
	if l := ar.List(); len(l) != 1 || l[0].JID != room || !l[0].Joined || l[0].Nick != "Alice" || l[0].Occupants != 1 {
		t.Fatalf("List: %+v", l)
	}

	mark := a.Events.Mark()
	sent, err := ar.Say(room, "Premier !")
	if err != nil {
		t.Fatal(err)
	}
	ev := a.Events.WaitFrom(t, mark, "A's own message published", roomBody(room, "Premier !")).(MessageReceived)
	if ev.Message.Direction != history.Out || ev.Message.ID != sent.ID || ev.Message.Resource != "Alice" {
		t.Fatalf("published %+v", ev.Message)
	}
	var states []history.State
	a.Events.WaitFrom(t, mark, "A's message delivered", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		if ok && s.ID == sent.ID {
			states = append(states, s.State)
		}
		return ok && s.ID == sent.ID && s.State == history.StateDelivered
	})
	if slices.Contains(states, history.StatePending) {
		t.Fatalf("states %v", states)
	}

	// The room browser finds the room, with what it says of itself.
	var found wire.RoomInfo
	deadline := time.Now().Add(10 * time.Second)
	for found.JID == "" {
		service, rooms, err := br.Browse(t.Context(), "")
		if err != nil || service != "conference."+srv.Domain {
			t.Fatalf("Browse: %q, %v", service, err)
		}
		for _, r := range rooms {
			if r.JID == room {
				found = r
			}
		}
		if found.JID == "" {
			if time.Now().After(deadline) {
				t.Fatalf("%s not among %+v", room, rooms)
			}
			time.Sleep(200 * time.Millisecond) // an instant room opens once configured
		}
	}
	if found.Occupants != 1 || found.Password {
		t.Fatalf("browsed: %+v", found)
	}
	if info, err := br.Info(t.Context(), room); err != nil || info.JID != room {
		t.Fatalf("Info: %+v, %v", info, err)
	}

	// A invites B, whose client A knows nothing of: through the room
	// (XEP-0045 mediated). B declines, and A hears of it.
	mark = b.Events.Mark()
	if err := ar.Invite(room, b.JID, "Viens"); err != nil {
		t.Fatal(err)
	}
	inv := b.Events.WaitFrom(t, mark, "B invited", func(e core.Event) bool { _, ok := e.(Invited); return ok }).(Invited)
	// The inviter: A's address, or in a room that hides it, A's
	// occupant address (Prosody).
	if from := inv.Invitation.From; inv.Invitation.Room != room || inv.Invitation.Direct || inv.Sender != room ||
		(xmpp.BareJID(from) != a.JID && from != room+"/Alice") || inv.Invitation.Reason != "Viens" {
		t.Fatalf("mediated invitation %+v from %s", inv.Invitation, inv.Sender)
	}
	if err := br.Decline(inv.Invitation, "Pas maintenant"); err != nil {
		t.Fatal(err)
	}
	d := a.Events.Wait(t, "A hears B declined", func(e core.Event) bool { _, ok := e.(Declined); return ok }).(Declined)
	if d.Room != room || d.From != b.JID || d.Reason != "Pas maintenant" {
		t.Fatalf("declined %+v", d)
	}
	// Once A knows B's client takes direct invitations (XEP-0249,
	// from its capabilities), A invites B directly.
	coretest.Mutual(t, a, b)
	if f, err := a.Session.Features(t.Context(), b.Session.JID()); err != nil {
		t.Fatal(err)
	} else if !slices.Contains(f.All, wire.NSConference) {
		t.Fatalf("B's client does not say it takes direct invitations: %+v", f)
	}
	mark = b.Events.Mark()
	if err := ar.Invite(room, b.JID, "Viens"); err != nil {
		t.Fatal(err)
	}
	inv = b.Events.WaitFrom(t, mark, "B invited directly", func(e core.Event) bool { _, ok := e.(Invited); return ok }).(Invited)
	if inv.Invitation.Room != room || !inv.Invitation.Direct || inv.Sender != a.JID || inv.Invitation.Reason != "Viens" {
		t.Fatalf("direct invitation %+v from %s", inv.Invitation, inv.Sender)
	}
	if err := br.Decline(inv.Invitation, ""); err != nil {
		t.Fatal(err)
	}
	enter(t, b, room, "Bob")

	// B, a participant, invites C through the room: Prosody passes it
	// on; ejabberd's rooms refuse their occupants' invitations by
	// default, and B hears of it.
	c := coretest.NewUser(t, srv, Feature)
	c.Connect(t)
	mark = b.Events.Mark()
	if err := br.Invite(room, c.JID, ""); err != nil {
		t.Fatal(err)
	}
	if srv.Kind == testserver.Ejabberd {
		f := b.Events.WaitFrom(t, mark, "B's invitation refused", func(e core.Event) bool { _, ok := e.(InviteFailed); return ok }).(InviteFailed)
		if f.Room != room || f.To != c.JID || !errors.Is(f.Err, ErrNotAllowed) {
			t.Fatalf("refused: %+v", f)
		}
	} else {
		c.Events.Wait(t, "C invited by B", func(e core.Event) bool {
			i, ok := e.(Invited)
			return ok && i.Invitation.Room == room && i.Invitation.From == room+"/Bob"
		})
	}

	// A nick in use: refused, and B stays in.
	mark = b.Events.Mark()
	if err := br.ChangeNick(room, "Alice"); err != nil {
		t.Fatal(err)
	}
	nr := b.Events.WaitFrom(t, mark, "B's nick refused", func(e core.Event) bool { _, ok := e.(NickRefused); return ok }).(NickRefused)
	if !errors.Is(nr.Err, wire.ErrNickInUse) || !br.In(room) || br.Nick(room) != "Bob" {
		t.Fatalf("refused %v; in %v as %q", nr.Err, br.In(room), br.Nick(room))
	}
	// A free one: A sees the change.
	mark = a.Events.Mark()
	if err := br.ChangeNick(room, "Robert"); err != nil {
		t.Fatal(err)
	}
	a.Events.WaitFrom(t, mark, "A sees Bob become Robert", func(e core.Event) bool {
		o, ok := e.(OccupantChanged)
		return ok && o.OldNick == "Bob" && o.Occupant.Nick == "Robert"
	})
	waitFor(t, "B's new nick", func() bool { return br.Nick(room) == "Robert" })

	// A bans B.
	if err := ar.SetAffiliation(t.Context(), room, b.JID+"/x", wire.AffOutcast, "dehors"); err != nil {
		t.Fatal(err)
	}
	left := b.Events.Wait(t, "B banned", func(e core.Event) bool { l, ok := e.(Left); return ok && l.Room == room }).(Left)
	if left.Reason != "banned" || br.In(room) {
		t.Fatalf("B's removal: %+v", left)
	}
	if err := br.ChangeNick(room, "X"); !errors.Is(err, ErrNotInRoom) {
		t.Fatalf("ChangeNick out of the room: %v", err)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
