package muc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// TestReservedRoom (XEP-0045 §10.1.3): A creates a room to configure
// first. Joined says it is locked; A reads its form and names it; B then
// enters a room called so. A second one A gives up is closed: no one
// can find it.
func TestReservedRoom(t *testing.T) { coretest.BothServers(t, testReservedRoom) }

func testReservedRoom(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	ar, br := Of(a.Session), Of(b.Session)
	room := newRoomName(srv, "reserve")
	if err := ar.JoinReserved(room, "Alice", ""); err != nil {
		t.Fatal(err)
	}
	j := a.Events.Wait(t, "A in the new room", joinedAs(room, "Alice")).(Joined)
	if !j.Created || !j.Locked {
		t.Fatalf("A's join: %+v", j)
	}
	cfg, err := ar.Config(t.Context(), room)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]string{}
	named := false
	for _, f := range cfg.Form.Fields {
		if f.Var == "muc#roomconfig_roomname" {
			values[f.Var], named = []string{"Salon réservé"}, true
		}
	}
	if !named {
		t.Fatalf("no room name in the form: %+v", cfg.Form.Fields)
	}
	if err := ar.Configure(t.Context(), room, cfg, values); err != nil {
		t.Fatal(err)
	}
	enter(t, b, room, "Bob")
	if info, err := br.Info(t.Context(), room); err != nil || info.Name != "Salon réservé" {
		t.Fatalf("the room as B sees it: %+v, %v", info, err)
	}

	// A room given up.
	other := newRoomName(srv, "abandon")
	if err := ar.JoinReserved(other, "Alice", ""); err != nil {
		t.Fatal(err)
	}
	if j := a.Events.Wait(t, "A in the second room", joinedAs(other, "Alice")).(Joined); !j.Locked {
		t.Fatalf("A's second join: %+v", j)
	}
	if err := ar.CancelNew(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	a.Events.Wait(t, "A out of it", func(e core.Event) bool {
		l, ok := e.(Left)
		return ok && l.Room == other
	})
	if ar.In(other) {
		t.Fatal("A still in the room given up")
	}
	// ejabberd may not answer a question to a room while it closes:
	// each is given 2 s.
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		_, err := br.Info(ctx, other)
		cancel()
		if errors.Is(err, ErrNoSuchRoom) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the room given up: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
