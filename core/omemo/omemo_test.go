package omemo

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	wire "github.com/causerie/causerie/core/xmpp/omemo"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/omemotest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// user is one of our clients with OMEMO, and what comes to it encrypted.
type user struct {
	*coretest.User
	feature *core.Feature
	seen    int // encrypted messages received so far
}

// newUser registers an account on srv with OMEMO on (keys in a database
// of the test's, identity private keys in the real keyring under a test
// service, removed at the end), and features.
func newUser(t *testing.T, srv *testserver.Server, features ...*core.Feature) *user {
	t.Helper()
	jid, pass := srv.NewUser(t)
	return newDevice(t, srv, jid, pass, features...)
}

// newDevice is another device (client) of account jid, as newUser.
func newDevice(t *testing.T, srv *testserver.Server, jid, pass string, features ...*core.Feature) *user {
	t.Helper()
	// One keyring service per device of the test.
	db, secrets := omemotest.Keys(t, "causerie-omemo-test")
	u := &user{feature: New(db, secrets)}
	u.User = coretest.Login(t, srv, jid, pass, append(features, u.feature)...)
	t.Cleanup(func() {
		if id, _ := Of(u.Session, u.feature).Own(); id != 0 {
			secrets.Delete(context.Background(), jid, id)
		}
	})
	return u
}

// readyPair is two users on the shared Prosody, signed in with their
// devices published.
func readyPair(t *testing.T) (alice, bob *user) {
	t.Helper()
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	alice, bob = newUser(t, srv), newUser(t, srv)
	alice.ready(t)
	bob.ready(t)
	return alice, bob
}

// ready signs the user in and waits until its device is published.
func (u *user) ready(t *testing.T) *State {
	t.Helper()
	mark := u.Events.Mark()
	u.Connect(t)
	u.Events.WaitFrom(t, mark, u.JID+"'s OMEMO device published", func(e core.Event) bool {
		r, ok := e.(Ready)
		return ok && r.Account == u.JID
	})
	return Of(u.Session, u.feature)
}

// send encrypts body to the bare JID to and sends it.
func (u *user) send(t *testing.T, to, body string) *stanza.Message {
	t.Helper()
	c := u.Conn(t)
	m, err := Of(u.Session, u.feature).Encrypt(context.Background(), c, to, body)
	if err != nil {
		t.Fatalf("%s encrypting to %s: %v", u.JID, to, err)
	}
	if err := c.Send(m); err != nil {
		t.Fatal(err)
	}
	return m
}

// receive waits for the next message stored from an encrypted one
// (core.Hook.Decrypt: decrypted as it came, its session's change kept
// once stored) and returns its sender and text.
func (u *user) receive(t *testing.T) (from, body string) {
	t.Helper()
	n := 0
	e := u.Events.Wait(t, u.JID+" gets an encrypted message", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		if ok && r.Message.Direction == history.In && r.Message.Encryption == history.OMEMO {
			n++
		}
		return n > u.seen
	}).(core.MessageReceived)
	u.seen++
	if e.Message.Undecrypted != "" {
		t.Fatalf("%s could not decrypt a message from %s: %s", u.JID, e.Message.Peer, e.Message.Undecrypted)
	}
	return e.Message.Peer, e.Message.Body
}

// Two of our clients on each server: each publishes its device and
// bundle; a first message starts the session from the other's bundle
// (a prekey message), the answer and what follows are plain Signal
// messages; the fallback body and store hint go with each.
func TestBetweenOurClients(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		alice, bob := newUser(t, srv), newUser(t, srv)
		as, bs := alice.ready(t), bob.ready(t)
		ctx := context.Background()
		if ids, err := as.Devices(ctx, alice.Conn(t), bob.JID); err != nil || len(ids) != 1 || ids[0] != bs.Store().DeviceID() {
			t.Fatalf("bob's devices as alice reads them: %v %v", ids, err)
		}
		m := alice.send(t, bob.JID, "Bonjour Bob 🔐")
		if m.Body != Fallback {
			t.Fatalf("fallback body %q", m.Body)
		}
		if msg, _, _ := wire.Of(*m); len(msg.Keys) != 1 || !msg.Keys[0].PreKey {
			t.Fatalf("the first message: %+v", msg.Keys)
		}
		if from, body := bob.receive(t); from != alice.JID || body != "Bonjour Bob 🔐" {
			t.Fatalf("bob got %q from %s", body, from)
		}
		bob.send(t, alice.JID, "Salut Alice")
		if _, body := alice.receive(t); body != "Salut Alice" {
			t.Fatalf("alice got %q", body)
		}
		m = alice.send(t, bob.JID, "encore")
		if msg, _, _ := wire.Of(*m); msg.Keys[0].PreKey {
			t.Fatal("alice still sends prekey messages after bob's answer")
		}
		if _, body := bob.receive(t); body != "encore" {
			t.Fatalf("bob got %q", body)
		}
	})
}

// Against Syndace's python-omemo (oldmemo), an independent
// implementation, on each server: it reads our device list and bundle
// and starts a session with a prekey message we decrypt; we read its
// and start one it decrypts; then both ways on the sessions built.
func TestWithPythonOMEMO(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		me := newUser(t, srv)
		st := me.ready(t)
		peer := slixpeer.StartNew(t, srv, slixpeer.Options{OMEMO: true})
		ready := peer.WaitFor(t, "the peer's OMEMO device", func(e slixpeer.Event) bool { return e.Event == "omemo_ready" })

		// Theirs to us: python-omemo builds the session from our bundle.
		peer.Do(t, slixpeer.Command{Cmd: "omemo_send", To: me.JID, Body: "Bonjour de python-omemo"})
		if from, body := me.receive(t); from != peer.Bare || body != "Bonjour de python-omemo" {
			t.Fatalf("we got %q from %s", body, from)
		}
		// Ours to them, on the session they started.
		mark := peer.Mark()
		me.send(t, peer.Bare, "Réponse de Causerie ✓")
		got := peer.WaitFrom(t, mark, "the peer decrypts our answer", func(e slixpeer.Event) bool { return e.Event == "omemo_message" })
		if got.Error != "" || got.Body != "Réponse de Causerie ✓" || got.Device != st.Store().DeviceID() {
			t.Fatalf("the peer: %+v", got)
		}
		if ids, err := st.Devices(context.Background(), me.Conn(t), peer.Bare); err != nil || fmt.Sprint(ids) != fmt.Sprint([]uint32{ready.Device}) {
			t.Fatalf("the peer's devices: %v %v (it said %d)", ids, err, ready.Device)
		}
	})
}

// We start the session: our prekey message to python-omemo's device,
// built from its bundle, is decrypted there.
func TestPythonOMEMOFromOurBundle(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		me := newUser(t, srv)
		me.ready(t)
		peer := slixpeer.StartNew(t, srv, slixpeer.Options{OMEMO: true})
		peer.WaitFor(t, "the peer's OMEMO device", func(e slixpeer.Event) bool { return e.Event == "omemo_ready" })
		mark := peer.Mark()
		m := me.send(t, peer.Bare, "Premier message, session de notre côté")
		if msg, _, _ := wire.Of(*m); len(msg.Keys) == 0 || !msg.Keys[0].PreKey {
			t.Fatalf("not a prekey message: %+v", msg.Keys)
		}
		got := peer.WaitFrom(t, mark, "the peer decrypts our first message", func(e slixpeer.Event) bool { return e.Event == "omemo_message" && e.Body != "" || e.Error != "" })
		if got.Error != "" || got.Body != "Premier message, session de notre côté" {
			t.Fatalf("the peer: %+v", got)
		}
		// It answers on that session.
		peer.Do(t, slixpeer.Command{Cmd: "omemo_send", To: me.JID, Body: "Bien reçu"})
		// (Its key transport after our prekey message, the heartbeat,
		// is no message: nothing is stored of it.)
		if _, body := me.receive(t); body != "Bien reçu" {
			t.Fatalf("we got %q", body)
		}
	})
}

// A message that cannot be read is stored as such, with why, never
// dropped: here one encrypted for a device that is not ours.
func TestUndecryptableKept(t *testing.T) {
	alice, bob := readyPair(t)
	m := alice.send(t, bob.JID, "first, for the session")
	if _, body := bob.receive(t); body != "first, for the session" {
		t.Fatalf("bob got %q", body)
	}
	m, err := Of(alice.Session, alice.feature).Encrypt(context.Background(), alice.Conn(t), bob.JID, "not for bob's device")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Extensions {
		if enc, ok := e.(*wire.Encrypted); ok {
			for i := range enc.Header.Keys {
				enc.Header.Keys[i].RID = "12345" // another device
			}
		}
	}
	if err := alice.Conn(t).Send(m); err != nil {
		t.Fatal(err)
	}
	n := 0
	e := bob.Events.Wait(t, "the undecryptable message stored", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		if ok && r.Message.Encryption == history.OMEMO {
			n++
		}
		return n == 2
	}).(core.MessageReceived)
	if e.Message.Undecrypted != ReasonNotForDevice || e.Message.Body != "" {
		t.Fatalf("stored as %q, undecrypted %q", e.Message.Body, e.Message.Undecrypted)
	}
}

// Our second device: a contact's message is encrypted for both of our
// devices and each reads it; what one sends reaches the other as a
// carbon copy, encrypted for it too, and is stored there as ours.
func TestOurOtherDevice(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		desk := newUser(t, srv, carbons.Feature)
		phone := newDevice(t, srv, desk.JID, desk.Password, carbons.Feature)
		bob := newUser(t, srv)
		desk.ready(t)
		phone.ready(t)
		bob.ready(t)
		m := bob.send(t, desk.JID, "pour tes deux appareils")
		if msg, _, _ := wire.Of(*m); len(msg.Keys) != 2 {
			t.Fatalf("bob encrypted for %d devices", len(msg.Keys))
		}
		for _, u := range []*user{desk, phone} {
			if _, body := u.receive(t); body != "pour tes deux appareils" {
				t.Fatalf("%s got %q", u.JID, body)
			}
		}
		mark := phone.Events.Mark()
		desk.send(t, bob.JID, "envoyé du bureau")
		e := phone.Events.WaitFrom(t, mark, "the phone's copy of what the desk sent", func(e core.Event) bool {
			r, ok := e.(core.MessageReceived)
			return ok && r.Copy && r.Message.Direction == history.Out
		}).(core.MessageReceived)
		if e.Message.Body != "envoyé du bureau" || e.Message.Encryption != history.OMEMO {
			t.Fatalf("the phone's copy: %q (%v, %q)", e.Message.Body, e.Message.Encryption, e.Message.Undecrypted)
		}
		if _, body := bob.receive(t); body != "envoyé du bureau" {
			t.Fatalf("bob got %q", body)
		}
	})
}

// What came encrypted while we were away is read from offline storage or
// the archive's catch-up (core/mam), whichever brings it first, each
// once.
func TestWhileAway(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		me := newUser(t, srv, mam.Feature)
		bob := newUser(t, srv)
		me.ready(t)
		bob.ready(t)
		bob.send(t, me.JID, "#0")
		if _, body := me.receive(t); body != "#0" {
			t.Fatalf("got %q", body)
		}
		me.Disconnect(t)
		for i := 1; i <= 5; i++ {
			bob.send(t, me.JID, fmt.Sprintf("#%d", i))
		}
		if err := bob.Conn(t).Ping(context.Background(), srv.Domain); err != nil {
			t.Fatal(err)
		}
		me.Connect(t)
		for i := 1; i <= 5; i++ {
			if _, body := me.receive(t); body != fmt.Sprintf("#%d", i) {
				t.Fatalf("message %d: %q", i, body)
			}
		}
		ms, err := me.Client.Store().Latest(me.JID, bob.JID, 20)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Body)
		}
		if fmt.Sprint(got) != "[#0 #1 #2 #3 #4 #5]" {
			t.Fatalf("history: %q", got)
		}
	})
}

// Beside an encrypted text, what came in the clear (XHTML-IM, a file's
// URL, a subject: anyone on the way could have put them there) is not
// shown under the lock.
func TestClearPartsLeftOut(t *testing.T) {
	alice, bob := readyPair(t)
	m, err := Of(alice.Session, alice.feature).Encrypt(context.Background(), alice.Conn(t), bob.JID, "the real text")
	if err != nil {
		t.Fatal(err)
	}
	b, err := xml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(b), "</message>", `<subject>forged subject</subject>`+
		`<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>forged rich text</p></body></html>`+
		`<x xmlns='jabber:x:oob'><url>https://evil.example/x.exe</url></x></message>`, 1)
	if err := alice.Conn(t).SendRaw([]byte(forged)); err != nil {
		t.Fatal(err)
	}
	e := bob.Events.Wait(t, "the message", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Encryption == history.OMEMO
	}).(core.MessageReceived)
	if got := e.Message; got.Body != "the real text" || got.Rich != "" || got.OOB != "" || got.Subject != "" {
		t.Fatalf("stored: body %q, rich %q, oob %q, subject %q", got.Body, got.Rich, got.OOB, got.Subject)
	}
}
