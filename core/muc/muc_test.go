package muc

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	wire "github.com/causerie/causerie/core/xmpp/muc"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestRoom: A creates a room and B joins; each sees the other come in;
// their messages are stored once on both sides with the sender's nick,
// and A's own comes back as delivered, not as a second message; the
// subject reaches B; a nick taken is refused; after A's connection is
// lost and made again, A is back in the room; a kick tells B why.
func TestRoom(t *testing.T) { coretest.BothServers(t, testRoom) }

func joinedAs(room, nick string) func(core.Event) bool {
	return func(e core.Event) bool {
		j, ok := e.(Joined)
		return ok && j.Room == room && j.Nick == nick
	}
}

func roomBody(room, body string) func(core.Event) bool {
	return func(e core.Event) bool {
		m, ok := e.(MessageReceived)
		return ok && m.Message.Peer == room && m.Message.Body == body
	}
}

func testRoom(t *testing.T, srv *testserver.Server) {
	a, b, c := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	c.Connect(t)
	ar, br, cr := Of(a.Session), Of(b.Session), Of(c.Session)
	room := fmt.Sprintf("salon%d@conference.%s", time.Now().UnixNano(), srv.Domain)

	if err := ar.Join(room, "Alice", ""); err != nil {
		t.Fatal(err)
	}
	j := a.Events.Wait(t, "A in the room", joinedAs(room, "Alice")).(Joined)
	if !j.Created || len(j.Occupants) != 1 {
		t.Fatalf("A's join: %+v", j)
	}
	// The new room is unlocked (an instant room) before B can come in.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mark := b.Events.Mark()
		if err := br.Join(room, "Bob", ""); err != nil {
			t.Fatal(err)
		}
		ev := b.Events.WaitFrom(t, mark, "B's join answered", func(e core.Event) bool {
			switch e := e.(type) {
			case Joined:
				return e.Room == room
			case JoinFailed:
				return e.Room == room
			}
			return false
		})
		if jf, ok := ev.(JoinFailed); ok {
			if errors.Is(jf.Err, wire.ErrRoomLocked) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			t.Fatalf("B's join: %v", jf.Err)
		}
		if occ := ev.(Joined).Occupants; len(occ) != 2 || occ[0].Nick != "Alice" || occ[1].Nick != "Bob" {
			t.Fatalf("B sees %+v", occ)
		}
		break
	}
	a.Events.Wait(t, "A sees B come in", func(e core.Event) bool {
		o, ok := e.(OccupantChanged)
		return ok && o.Room == room && o.Occupant.Nick == "Bob" && !o.Gone
	})
	if occ := ar.Occupants(room); len(occ) != 2 {
		t.Fatalf("A's occupants %+v", occ)
	}

	// A nick in use is refused, in words the GUI can give.
	if err := cr.Join(room, "Bob", ""); err != nil {
		t.Fatal(err)
	}
	jf := c.Events.Wait(t, "C refused", func(e core.Event) bool { _, ok := e.(JoinFailed); return ok }).(JoinFailed)
	if !errors.Is(jf.Err, wire.ErrNickInUse) || cr.In(room) {
		t.Fatalf("C's join with B's nick: %v", jf.Err)
	}

	// Messages: B's stored on A's side with B's nick; A's own delivered.
	mark := a.Events.Mark()
	sent, err := ar.Say(room, "Bonjour à tous")
	if err != nil {
		t.Fatal(err)
	}
	a.Events.WaitFrom(t, mark, "A's message reflected", func(e core.Event) bool {
		s, ok := e.(core.MessageStateChanged)
		return ok && s.ID == sent.ID && s.State == history.StateDelivered
	})
	got := b.Events.Wait(t, "B gets A's message", roomBody(room, "Bonjour à tous")).(MessageReceived)
	if got.Message.Resource != "Alice" || got.Message.Type != "groupchat" || got.Message.Direction != history.In {
		t.Fatalf("as B stored it: %+v", got.Message)
	}
	if _, err := br.Say(room, "Salut Alice"); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "A gets B's message", roomBody(room, "Salut Alice"))
	ah, _ := a.Session.History(room, 10)
	var bodies []string
	for _, m := range ah {
		bodies = append(bodies, fmt.Sprintf("%s:%s", m.Resource, m.Body))
	}
	if !slices.Equal(bodies, []string{"Alice:Bonjour à tous", "Bob:Salut Alice"}) {
		t.Fatalf("A's history of the room: %q", bodies)
	}

	if err := ar.SetSubject(room, "Le programme"); err != nil {
		t.Fatal(err)
	}
	b.Events.Wait(t, "B sees the subject", func(e core.Event) bool {
		s, ok := e.(SubjectChanged)
		return ok && s.Room == room && s.Subject == "Le programme" && s.By == "Alice"
	})

	// A's link is lost and made again: A enters the room again by itself.
	mark = a.Events.Mark()
	a.Session.Disconnect()
	a.Session.Connect()
	a.Events.WaitFrom(t, mark, "A back online", func(e core.Event) bool {
		st, ok := e.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOnline
	})
	a.Events.WaitFrom(t, mark, "A back in the room", joinedAs(room, "Alice"))
	if !ar.In(room) {
		t.Fatal("A not in the room after signing in again")
	}

	// A kicks B: B is told who did it and why.
	if err := wire.SetRole(t.Context(), a.Conn(t), room, "Bob", wire.RoleNone, "assez"); err != nil {
		t.Fatal(err)
	}
	left := b.Events.Wait(t, "B kicked", func(e core.Event) bool { l, ok := e.(Left); return ok && l.Room == room }).(Left)
	if left.Reason != "kicked" || left.Actor != "Alice" || left.Text != "assez" || br.In(room) {
		t.Fatalf("B's removal: %+v", left)
	}

	// Leaving ends it, and signing in again does not come back.
	if err := ar.Leave(room); err != nil || ar.In(room) {
		t.Fatalf("leave: %v", err)
	}
}
