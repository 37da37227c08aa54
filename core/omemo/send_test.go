package omemo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/omemo/keys"
	wire "github.com/causerie/causerie/core/xmpp/omemo"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

// state waits, from mark, for our message id to reach state st (or fail).
func (u *user) state(t *testing.T, mark int, id int64, st history.State) core.MessageStateChanged {
	t.Helper()
	return u.Events.WaitFrom(t, mark, u.JID+"'s message reaches its state", func(e core.Event) bool {
		c, ok := e.(core.MessageStateChanged)
		return ok && c.ID == id && (c.State == st || c.State == history.StateError)
	}).(core.MessageStateChanged)
}

// What the user sends in a chat whose switch is on (by default, once the
// contact's devices are known) is stored and sent encrypted: the
// contact reads it, and its state goes on as any message's; one typed
// while offline goes encrypted on the next connection; the switch off,
// it goes in the clear.
func TestSendFromChat(t *testing.T) {
	coretest.BothServers(t, func(t *testing.T, srv *testserver.Server) {
		alice, bob := newUser(t, srv), newUser(t, srv)
		as, bs := alice.ready(t), bob.ready(t)
		ctx := context.Background()
		if as.Enabled(ctx, bob.JID) {
			t.Fatal("the switch is on before bob's devices are known")
		}
		if err := as.Fetch(ctx, bob.JID); err != nil {
			t.Fatal(err)
		}
		if !as.Enabled(ctx, bob.JID) {
			t.Fatal("the switch is off with bob's device known")
		}
		mark := alice.Events.Mark()
		m, err := alice.Session.SendMessage(bob.JID, core.TypeChat, "", "Chiffré depuis la conversation")
		if err != nil {
			t.Fatal(err)
		}
		if m.Encryption != history.OMEMO {
			t.Fatalf("stored as %v", m.Encryption)
		}
		if _, body := bob.receive(t); body != "Chiffré depuis la conversation" {
			t.Fatalf("bob got %q", body)
		}
		if st := alice.state(t, mark, m.ID, history.StateAcked); st.State == history.StateError {
			t.Fatalf("failed: %s", st.Reason)
		}

		// Bob answers from his chat: encrypted too.
		if err := bs.Fetch(ctx, alice.JID); err != nil {
			t.Fatal(err)
		}
		a, err := bob.Session.SendMessage(alice.JID, core.TypeChat, "", "Bien reçu, chiffré")
		if err != nil || a.Encryption != history.OMEMO {
			t.Fatalf("bob's answer: %v %v", a.Encryption, err)
		}
		if _, body := alice.receive(t); body != "Bien reçu, chiffré" {
			t.Fatalf("alice got %q", body)
		}

		// Typed while offline: encrypted once connected.
		alice.Disconnect(t)
		mark = alice.Events.Mark()
		m, err = alice.Session.SendMessage(bob.JID, core.TypeChat, "", "écrit hors ligne")
		if err != nil || m.Encryption != history.OMEMO {
			t.Fatalf("typed offline: %v %v", m.Encryption, err)
		}
		alice.Connect(t)
		if _, body := bob.receive(t); body != "écrit hors ligne" {
			t.Fatalf("bob got %q", body)
		}
		if st := alice.state(t, mark, m.ID, history.StateAcked); st.State == history.StateError {
			t.Fatalf("failed: %s", st.Reason)
		}

		// The switch off: in the clear.
		if err := as.SetEnabled(ctx, bob.JID, false); err != nil {
			t.Fatal(err)
		}
		mark = bob.Events.Mark()
		if m, err = alice.Session.SendMessage(bob.JID, core.TypeChat, "", "en clair"); err != nil || m.Encryption != history.NotEncrypted {
			t.Fatalf("switch off: %v %v", m.Encryption, err)
		}
		if got := bob.Received(t, mark, history.In, "en clair"); got.Encryption != history.NotEncrypted {
			t.Fatalf("bob stored it as %v", got.Encryption)
		}
	})
}

// Our message, sent from the chat, reaches python-omemo's device, which
// reads it.
func TestSendToPythonOMEMO(t *testing.T) {
	srv := testserver.Shared(t, testserver.Ejabberd, testserver.Options{})
	me := newUser(t, srv)
	st := me.ready(t)
	peer := slixpeer.StartNew(t, srv, slixpeer.Options{OMEMO: true})
	peer.WaitFor(t, "the peer's OMEMO device", func(e slixpeer.Event) bool { return e.Event == "omemo_ready" })
	if err := st.Fetch(context.Background(), peer.Bare); err != nil {
		t.Fatal(err)
	}
	mark := peer.Mark()
	if _, err := me.Session.SendMessage(peer.Bare, core.TypeChat, "", "De la conversation à python-omemo"); err != nil {
		t.Fatal(err)
	}
	got := peer.WaitFrom(t, mark, "the peer decrypts our message", func(e slixpeer.Event) bool {
		return e.Event == "omemo_message" && (e.Body != "" || e.Error != "")
	})
	if got.Error != "" || got.Body != "De la conversation à python-omemo" || got.Device != st.Store().DeviceID() {
		t.Fatalf("the peer: %+v", got)
	}
}

// Blind trust before verification: the devices of a contact seen first
// are trusted; once the user has verified one, a new one waits for the
// user's decision and is not encrypted for (it stores our message as
// not for it); a chat whose contact has no trusted device fails the
// message with the reason, never sends it in the clear; approved, the
// new device reads what follows. What the waiting device writes is
// marked as from a device not trusted.
func TestTrust(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	desk := newUser(t, srv)
	phone := newDevice(t, srv, desk.JID, desk.Password)
	bob := newUser(t, srv)
	ds, ps, bs := desk.ready(t), phone.ready(t), bob.ready(t)
	ctx := context.Background()
	if err := bs.FetchKeys(ctx, desk.JID); err != nil {
		t.Fatal(err)
	}
	devices := func() map[uint32]keys.Trust {
		t.Helper()
		known, err := bs.KnownDevices(ctx, desk.JID)
		if err != nil {
			t.Fatal(err)
		}
		m := map[uint32]keys.Trust{}
		for _, d := range known {
			m[d.ID] = d.Trust
			if d.Identity == nil {
				t.Fatalf("device %d has no identity yet", d.ID)
			}
		}
		return m
	}
	deskID, phoneID := ds.Store().DeviceID(), ps.Store().DeviceID()
	if got := devices(); got[deskID] != keys.Blind || got[phoneID] != keys.Blind || len(got) != 2 {
		t.Fatalf("first seen: %v", got)
	}
	if err := bs.SetTrust(ctx, desk.JID, deskID, keys.Verified); err != nil {
		t.Fatal(err)
	}

	// A third device, after the verification: it waits.
	tablet := newDevice(t, srv, desk.JID, desk.Password)
	ts := tablet.ready(t)
	tabletID := ts.Store().DeviceID()
	if err := bs.FetchKeys(ctx, desk.JID); err != nil {
		t.Fatal(err)
	}
	if got := devices(); got[tabletID] != keys.Undecided || got[phoneID] != keys.Blind || got[deskID] != keys.Verified {
		t.Fatalf("after the verification: %v", got)
	}
	mark := tablet.Events.Mark()
	if _, err := bob.Session.SendMessage(desk.JID, core.TypeChat, "", "pas pour la tablette"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*user{desk, phone} {
		if _, body := u.receive(t); body != "pas pour la tablette" {
			t.Fatalf("%d got %q", u.seen, body)
		}
	}
	e := tablet.Events.WaitFrom(t, mark, "the tablet's copy", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Encryption == history.OMEMO
	}).(core.MessageReceived)
	if e.Message.Undecrypted != ReasonNotForDevice {
		t.Fatalf("the tablet read it: %q %q", e.Message.Body, e.Message.Undecrypted)
	}
	tablet.seen++

	// What the waiting tablet writes is shown with a warning: it came
	// from a device bob has not trusted.
	mark = bob.Events.Mark()
	tablet.send(t, bob.JID, "c'est bien moi")
	u := bob.Events.WaitFrom(t, mark, "the tablet's message", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Body == "c'est bien moi"
	}).(core.MessageReceived)
	if u.Message.Encryption != history.OMEMOUntrusted {
		t.Fatalf("from the waiting tablet: %v", u.Message.Encryption)
	}

	// None trusted: the message fails, with why.
	for _, id := range []uint32{deskID, phoneID, tabletID} {
		if err := bs.SetTrust(ctx, desk.JID, id, keys.Distrusted); err != nil {
			t.Fatal(err)
		}
	}
	mark = bob.Events.Mark()
	m, err := bob.Session.SendMessage(desk.JID, core.TypeChat, "", "pour personne")
	if err != nil {
		t.Fatal(err)
	}
	if st := bob.state(t, mark, m.ID, history.StateError); st.State != history.StateError || st.Reason != ReasonUntrusted {
		t.Fatalf("to no trusted device: %v %q", st.State, st.Reason)
	}

	// The tablet approved: it reads what follows.
	if err := bs.SetTrust(ctx, desk.JID, tabletID, keys.Blind); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Session.SendMessage(desk.JID, core.TypeChat, "", "pour la tablette"); err != nil {
		t.Fatal(err)
	}
	if _, body := tablet.receive(t); body != "pour la tablette" {
		t.Fatalf("the tablet got %q", body)
	}
}

// A correction of an encrypted message goes encrypted; one that comes in
// the clear for an encrypted message does not replace its text (anyone
// on the way could have sent it): it is shown as a message of its own.
func TestCorrections(t *testing.T) {
	alice, bob := readyPair(t)
	as := Of(alice.Session, alice.feature)
	ctx := context.Background()
	if err := as.Fetch(ctx, bob.JID); err != nil {
		t.Fatal(err)
	}
	m, err := alice.Session.SendMessage(bob.JID, core.TypeChat, "", "rendez-vous à 8 h")
	if err != nil {
		t.Fatal(err)
	}
	if _, body := bob.receive(t); body != "rendez-vous à 8 h" {
		t.Fatalf("bob got %q", body)
	}
	mark := bob.Events.Mark()
	if _, err := alice.Session.CorrectMessage(ctx, m.ID, "rendez-vous à 9 h"); err != nil {
		t.Fatal(err)
	}
	c := bob.Events.WaitFrom(t, mark, "the correction", func(e core.Event) bool {
		_, ok := e.(core.MessageCorrected)
		return ok
	}).(core.MessageCorrected)
	if c.Message.Body != "rendez-vous à 9 h" || c.Message.Encryption != history.OMEMO {
		t.Fatalf("corrected: %q %v", c.Message.Body, c.Message.Encryption)
	}

	// A correction in the clear, from the same resource.
	stored, _, _ := alice.Client.Store().LatestBy(alice.JID, bob.JID, history.Out)
	mark = bob.Events.Mark()
	raw := `<message to='` + bob.JID + `' type='chat'><body>rendez-vous annulé</body>` +
		`<replace xmlns='urn:xmpp:message-correct:0' id='` + stored.OriginID + `'/></message>`
	if err := alice.Conn(t).SendRaw([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	got := bob.Received(t, mark, history.In, "rendez-vous annulé")
	if got.Encryption != history.NotEncrypted {
		t.Fatalf("the clear correction stored as %v", got.Encryption)
	}
	for _, e := range bob.Events.Since(mark) {
		if _, ok := e.(core.MessageCorrected); ok {
			t.Fatal("a correction in the clear replaced an encrypted text")
		}
	}
}

// After a prekey message, its receiver answers with a heartbeat (an
// empty message): the sender's next message is a plain Signal message
// though the receiver wrote nothing.
func TestHeartbeat(t *testing.T) {
	alice, bob := readyPair(t)
	as := Of(alice.Session, alice.feature)
	m := alice.send(t, bob.JID, "premier")
	if msg, _, _ := wire.Of(*m); !msg.Keys[0].PreKey {
		t.Fatal("the first message is not a prekey message")
	}
	if _, body := bob.receive(t); body != "premier" {
		t.Fatalf("bob got %q", body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := as.Encrypt(context.Background(), alice.Conn(t), bob.JID, "sonde")
		if err != nil {
			t.Fatal(err)
		}
		if msg, _, _ := wire.Of(*m); !msg.Keys[0].PreKey {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat from bob: alice still sends prekey messages")
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Nothing was stored of it.
	if ms, _ := alice.Client.Store().Latest(alice.JID, bob.JID, 10); len(ms) != 0 {
		t.Fatalf("alice stored %d messages", len(ms))
	}
}

// Typed before this device's keys were ever loaded (never signed in), in
// a chat whose switch is on: stored to be encrypted, not in the clear;
// it cannot be corrected before it has gone; once signed in, the
// messages go encrypted, in the order typed.
func TestTypedBeforeKeys(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	alice, bob := newUser(t, srv), newUser(t, srv)
	bob.ready(t)
	as := Of(alice.Session, alice.feature)
	ctx := context.Background()
	if err := as.SetEnabled(ctx, bob.JID, true); err != nil {
		t.Fatal(err)
	}
	var last history.Message
	for i := range 3 {
		m, err := alice.Session.SendMessage(bob.JID, core.TypeChat, "", fmt.Sprintf("avant les clés %d", i))
		if err != nil || m.Encryption != history.OMEMO {
			t.Fatalf("typed before the keys: %v %v", m.Encryption, err)
		}
		last = m
	}
	if _, err := alice.Session.CorrectMessage(ctx, last.ID, "corrigé"); !errors.Is(err, core.ErrNotSentYet) {
		t.Fatalf("corrected before it went: %v", err)
	}
	alice.ready(t)
	for i := range 3 {
		if _, body := bob.receive(t); body != fmt.Sprintf("avant les clés %d", i) {
			t.Fatalf("message %d: %q", i, body)
		}
	}
}

// python-omemo writes to our account, which has two devices: the one
// online reads it as it comes; the other, offline then, reads it from
// the archive's catch-up when it signs in (the server kept no offline
// copy for it: another device was online). Then the phone answers from
// its chat, and python-omemo reads it.
func TestPythonOMEMOTwoDevicesAndArchive(t *testing.T) {
	coretest.BothArchived(t, func(t *testing.T, srv *testserver.Server) {
		desk := newUser(t, srv, mam.Feature, carbons.Feature)
		phone := newDevice(t, srv, desk.JID, desk.Password, mam.Feature, carbons.Feature)
		desk.ready(t)
		ps := phone.ready(t)
		phone.Disconnect(t)
		peer := slixpeer.StartNew(t, srv, slixpeer.Options{OMEMO: true})
		peer.WaitFor(t, "the peer's OMEMO device", func(e slixpeer.Event) bool { return e.Event == "omemo_ready" })
		peer.Do(t, slixpeer.Command{Cmd: "omemo_send", To: desk.JID, Body: "Pour tes deux appareils, de python-omemo"})
		if _, body := desk.receive(t); body != "Pour tes deux appareils, de python-omemo" {
			t.Fatalf("the desk got %q", body)
		}
		mark := phone.Events.Mark()
		phone.Connect(t)
		e := phone.Events.WaitFrom(t, mark, "the phone's catch-up", func(e core.Event) bool {
			r, ok := e.(core.MessageReceived)
			return ok && r.Message.Encryption == history.OMEMO
		}).(core.MessageReceived)
		if !e.Archived || e.Message.Body != "Pour tes deux appareils, de python-omemo" || e.Message.Undecrypted != "" {
			t.Fatalf("the phone: archived %v, %q (%q)", e.Archived, e.Message.Body, e.Message.Undecrypted)
		}
		phone.seen++

		if err := ps.Fetch(context.Background(), peer.Bare); err != nil {
			t.Fatal(err)
		}
		pm := peer.Mark()
		if _, err := phone.Session.SendMessage(peer.Bare, core.TypeChat, "", "Réponse du téléphone"); err != nil {
			t.Fatal(err)
		}
		got := peer.WaitFrom(t, pm, "the peer reads the phone's answer", func(e slixpeer.Event) bool {
			return e.Event == "omemo_message" && (e.Body != "" || e.Error != "")
		})
		if got.Error != "" || got.Body != "Réponse du téléphone" || got.Device != ps.Store().DeviceID() {
			t.Fatalf("the peer: %+v", got)
		}
	})
}
