package omemo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/omemo/keys"
	"github.com/causerie/causerie/core/xmpp"
	wire "github.com/causerie/causerie/core/xmpp/omemo"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// user is one of our clients with OMEMO, and what comes to it encrypted.
type user struct {
	*coretest.User
	feature *core.Feature
	in      chan *stanza.Message
}

// newUser registers an account on srv with OMEMO on (keys in a database
// of the test's, identity private keys in the real keyring under a test
// service, removed at the end).
func newUser(t *testing.T, srv *testserver.Server) *user {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no session bus: run under .ci/with-desktop.sh (make test)")
		}
		t.Skip("no session bus: run under .ci/with-desktop.sh (make test)")
	}
	db, err := keys.Open(filepath.Join(t.TempDir(), "omemo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	secrets := keys.Keyring{K: &account.Keyring{Service: "causerie-omemo-test", Timeout: 10 * time.Second}}
	u := &user{feature: New(db, secrets), in: make(chan *stanza.Message, 16)}
	capture := &core.Feature{Name: "test capture", Attach: func(h *core.Hook) any {
		h.HandleMessage(func(_ *xmpp.Conn, m *stanza.Message) bool {
			if _, ok, _ := wire.Of(*m); ok {
				u.in <- m
			}
			return false
		})
		return nil
	}}
	u.User = coretest.NewUser(t, srv, u.feature, capture)
	t.Cleanup(func() { secrets.K.Delete(context.Background(), u.JID) })
	return u
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

// receive waits for the next encrypted message, decrypts it and commits
// its session change.
func (u *user) receive(t *testing.T) (from, body string) {
	t.Helper()
	select {
	case m := <-u.in:
		body, p, err := Of(u.Session, u.feature).Decrypt(context.Background(), xmpp.BareJID(m.From), m)
		if err != nil {
			t.Fatalf("%s decrypting from %s: %v", u.JID, m.From, err)
		}
		if err := p.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		return xmpp.BareJID(m.From), body
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no encrypted message", u.JID)
	}
	return "", ""
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
		for {
			_, body := me.receive(t)
			if body == "" {
				continue // its key transport (the heartbeat after a prekey message)
			}
			if body != "Bien reçu" {
				t.Fatalf("we got %q", body)
			}
			break
		}
	})
}
