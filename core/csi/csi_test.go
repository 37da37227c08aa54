package csi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/csi"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestHeldWhileAway, on both servers: while A's user is away, B's chat
// state (not urgent) is held back by A's server, and it comes as soon as
// the user is back; the next stream, after signing in again, is told
// again that nobody looks (a stream begins active).
func TestHeldWhileAway(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		t.Parallel()
		a, b := coretest.NewUser(t, srv, csi.Feature), coretest.NewUser(t, srv)
		a.Connect(t)
		b.Connect(t)
		ind := csi.Of(a.Session)
		typing := func(state string) {
			t.Helper()
			raw := fmt.Sprintf(`<message to='%s' type='chat'><%s xmlns='http://jabber.org/protocol/chatstates'/></message>`, a.Conn(t).JID(), state)
			if err := b.Conn(t).SendRaw([]byte(raw)); err != nil {
				t.Fatal(err)
			}
		}
		seen := func(want core.ChatState) func(core.Event) bool {
			return func(e core.Event) bool {
				c, ok := e.(core.ChatStateChanged)
				return ok && c.JID == b.JID && c.State == want
			}
		}
		held := func(state string, want core.ChatState) {
			t.Helper()
			defer func() {
				if t.Failed() {
					for _, e := range a.Events.Since(0) {
						if c, ok := e.(core.ConnectionStateChanged); ok {
							t.Logf("%+v", c)
						}
					}
				}
			}()
			mark := a.Events.Mark()
			// Going inactive, the indicator pings (see tell), and the
			// answer is urgent: Prosody sends what it holds with it and
			// waits 5 s before holding again (csi_resume_inactive_delay).
			time.Sleep(5500 * time.Millisecond)
			typing(state)
			time.Sleep(time.Second)
			for _, e := range a.Events.Since(mark) {
				if seen(want)(e) {
					t.Fatalf("%s came while A's user was away", state)
				}
			}
			ind.SetActive(true)
			a.Events.WaitFrom(t, mark, state+" once A's user is back", seen(want))
		}

		ind.SetActive(false)
		if ind.Active() {
			t.Fatal("still active")
		}
		held("composing", core.ChatComposing)

		ind.SetActive(false)
		a.Session.Disconnect()
		a.Events.Wait(t, "A offline", func(e core.Event) bool {
			s, ok := e.(core.ConnectionStateChanged)
			return ok && s.State == core.StateOffline
		})
		mark := a.Events.Mark()
		a.Session.Connect()
		a.Events.WaitFrom(t, mark, "A online again", func(e core.Event) bool {
			s, ok := e.(core.ConnectionStateChanged)
			return ok && s.State == core.StateOnline
		})
		held("paused", core.ChatPaused)
	})
}
