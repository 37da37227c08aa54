// Package roomtest helps the tests of the features that act in rooms
// (core/reactions, core/retract): a fresh room, entered by test users.
package roomtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

// New is the address of a fresh room on srv's group chat service.
func New(srv *testserver.Server, prefix string) string {
	return fmt.Sprintf("%s%d@conference.%s", prefix, time.Now().UnixNano(), srv.Domain)
}

// Join has u (a client with muc.Feature) enter room as nick, trying again
// while the room is being made (locked until configured), and waits
// until it is in.
func Join(t testing.TB, u *coretest.User, room, nick string) {
	t.Helper()
	r := muc.Of(u.Session)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		mark := u.Events.Mark()
		if err := r.Join(room, nick, ""); err != nil {
			t.Fatal(err)
		}
		ev := u.Events.WaitFrom(t, mark, nick+" joins", func(e core.Event) bool {
			switch e := e.(type) {
			case muc.Joined:
				return e.Room == room
			case muc.JoinFailed:
				return e.Room == room
			}
			return false
		})
		if _, ok := ev.(muc.Joined); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s could not join %s: %v", nick, room, ev)
		}
	}
}

// Message waits, from mark, for the room message that says body on u's
// side, and returns it.
func Message(t testing.TB, u *coretest.User, mark int, body string) muc.MessageReceived {
	t.Helper()
	return u.Events.WaitFrom(t, mark, u.JID+" gets "+body, func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Body == body
	}).(muc.MessageReceived)
}
