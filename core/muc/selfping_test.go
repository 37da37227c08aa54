package muc

import (
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestSelfPing, on both servers: a room that no longer has us (here one
// B is in and we never entered, as a room that dropped us silently looks
// to us) is found out by the self-ping after a quiet spell and entered
// again; a room that has us is left alone.
func TestSelfPing(t *testing.T) {
	saved := quietBeforePing
	quietBeforePing = 300 * time.Millisecond
	t.Cleanup(func() { quietBeforePing = saved })
	coretest.BothServers(t, testSelfPing)
}

func testSelfPing(t *testing.T, srv *testserver.Server) {
	a := coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	r := Of(a.Session)
	stays := fmt.Sprintf("stays%d@conference.%s", time.Now().UnixNano(), srv.Domain)
	if err := r.Join(stays, "Al", ""); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "in the room", joinedAs(stays, "Al"))

	dropped := fmt.Sprintf("dropped%d@conference.%s", time.Now().UnixNano(), srv.Domain)
	b := coretest.NewUser(t, srv, Feature)
	b.Connect(t)
	if err := Of(b.Session).Join(dropped, "Bea", ""); err != nil {
		t.Fatal(err)
	}
	b.Events.Wait(t, "B in the other room", joinedAs(dropped, "Bea"))
	mark := a.Events.Mark()
	rm := &entry{jid: dropped, nick: "Al", joined: true, occupants: map[string]Occupant{}}
	r.mu.Lock()
	r.rooms[dropped] = rm
	r.heardLocked(rm)
	r.mu.Unlock()
	a.Events.WaitFrom(t, mark, "the dropped room entered again", joinedAs(dropped, "Al"))
	// Quiet spells pass: the room that has us is pinged, not entered again.
	time.Sleep(4 * quietBeforePing)
	for _, e := range a.Events.Since(mark) {
		if j, ok := e.(Joined); ok && j.Room == stays {
			t.Errorf("entered again a room that had us: %+v", j)
		}
	}
	if !r.In(stays) || !r.In(dropped) {
		t.Errorf("in %v %v", r.In(stays), r.In(dropped))
	}
}
