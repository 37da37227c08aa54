package muc

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/recorder"
	"github.com/causerie/causerie/internal/testserver"
)

// TestRoomMessageNotResent: at start, what a previous run left unsent is
// sent (here a chat message to B), but a room message is not: the room
// may have had it, and we may no longer be in the room.
func TestRoomMessageNotResent(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	b := coretest.NewUser(t, srv, Feature)
	b.Connect(t)
	room := newRoomName(srv, "outbox")
	enter(t, b, room, "Bob")

	jid, pass := srv.NewUser(t)
	dir := t.TempDir()
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Now()
	for _, m := range []history.Message{
		{Account: jid, Peer: room, Resource: "Alice", Direction: history.Out, Type: "groupchat", Body: "jamais renvoyé", OriginID: "o1", Sent: now, State: history.StateSent},
		{Account: jid, Peer: b.JID, Direction: history.Out, Type: "chat", Body: "envoyé au démarrage", OriginID: "o2", Sent: now, State: history.StatePending},
		// A private message to Bob through the room: the session
		// would send it to the room's own address.
		{Account: jid, Peer: room, Resource: "Bob", Direction: history.Out, Type: "chat", Body: "privé, jamais renvoyé", OriginID: "o3", Sent: now, State: history.StateSent},
	} {
		if err := store.Add(&m); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SetRoom(jid, room); err != nil { // as entering it did
		t.Fatal(err)
	}
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	c := core.NewClient(accts, nil, store, core.Options{TLSConfig: &tls.Config{RootCAs: srv.CertPool}, Features: []*core.Feature{Feature}})
	defer c.Close()
	events := recorder.New(c.Subscribe)
	s, err := c.AddAccount(context.Background(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port}, "")
	if err != nil {
		t.Fatal(err)
	}
	s.SetPassword(pass)
	s.Connect()
	events.Wait(t, "online", func(e core.Event) bool {
		st, ok := e.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOnline
	})
	b.Events.Wait(t, "the chat message sent at start", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == "envoyé au démarrage"
	})
	time.Sleep(500 * time.Millisecond) // the room message would have come with it
	for _, e := range b.Events.Since(0) {
		if m, ok := e.(MessageReceived); ok && m.Message.Body == "jamais renvoyé" {
			t.Fatal("the room message was sent again")
		}
	}
	if m, found, err := store.FindByOriginID(jid, room, "o3", history.Out); err != nil || !found || m.State != history.StateSent {
		t.Fatalf("the private message (%v, %v): %+v", found, err, m)
	}
}
