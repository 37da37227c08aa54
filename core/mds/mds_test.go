package mds_test

import (
	"fmt"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/mds"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestReadOnAnotherDevice, on both servers: two devices of A's. What B
// wrote and device 2 read no longer counts as unread on device 1, live
// (the node's notification); and what device 2 read while device 1 was
// signed out counts as read on device 1 after it signs in again, once
// its catch-up has stored those messages.
func TestReadOnAnotherDevice(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Shared(t, k, testserver.Options{Archive: true})
			features := []*core.Feature{carbons.Feature, mam.Feature, mds.Feature}
			one := coretest.NewUser(t, srv, features...)
			two := coretest.Login(t, srv, one.JID, one.Password, features...)
			b := coretest.NewUser(t, srv)
			one.Connect(t)
			two.Connect(t)
			b.Connect(t)
			send := func(body string) {
				t.Helper()
				m := stanza.NewMessage(stanza.Attrs{To: one.JID, Type: stanza.MessageTypeChat})
				m.Body = body
				if err := b.Conn(t).Send(&m); err != nil {
					t.Fatal(err)
				}
			}
			stored := func(u *coretest.User, body string) {
				t.Helper()
				u.Events.Wait(t, body, func(e core.Event) bool {
					m, ok := e.(core.MessageReceived)
					return ok && m.Message.Body == body && m.Message.Direction == history.In
				})
			}
			readHere := func(u *coretest.User) func(core.Event) bool {
				return func(e core.Event) bool {
					r, ok := e.(core.ReadElsewhere)
					return ok && r.Account == u.JID && r.Peer == b.JID
				}
			}
			unread := func(u *coretest.User) int {
				t.Helper()
				n, err := u.Session.Unread()
				if err != nil {
					t.Fatal(err)
				}
				return n[b.JID]
			}

			for i := 1; i <= 3; i++ {
				send(fmt.Sprint("live ", i))
			}
			stored(one, "live 3")
			stored(two, "live 3")
			if n := unread(one); n != 3 {
				t.Fatalf("device 1: %d unread", n)
			}
			mark := one.Events.Mark()
			if err := mds.Of(two.Session).Displayed(b.JID); err != nil {
				t.Fatal(err)
			}
			one.Events.WaitFrom(t, mark, "read on device 2", readHere(one))
			if n := unread(one); n != 0 {
				t.Errorf("device 1 after device 2 read: %d unread", n)
			}

			one.Session.Disconnect()
			one.Events.Wait(t, "device 1 offline", func(e core.Event) bool {
				s, ok := e.(core.ConnectionStateChanged)
				return ok && s.State == core.StateOffline
			})
			send("while away 1")
			send("while away 2")
			stored(two, "while away 2")
			if err := mds.Of(two.Session).Displayed(b.JID); err != nil {
				t.Fatal(err)
			}
			mark = one.Events.Mark()
			one.Session.Connect()
			one.Events.WaitFrom(t, mark, "the archive's messages", func(e core.Event) bool {
				m, ok := e.(core.MessageReceived)
				return ok && m.Message.Body == "while away 2"
			})
			one.Events.WaitFrom(t, mark, "read on device 2 while away", readHere(one))
			if n := unread(one); n != 0 {
				t.Errorf("device 1 after signing in: %d unread", n)
			}
		})
	}
}
