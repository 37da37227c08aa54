package carbons_test

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/carbons"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/mam"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/markers"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestOtherDevice, on both servers: A runs Causerie, and slixmpp signs in
// as A's phone, with carbons on. What the phone receives and sends shows
// in A's history, in the right conversation and direction, once; the
// phone's correction corrects it here; a private message stays out; a
// carbon a stranger forges is ignored; what A sends reaches the phone as
// a copy. Then A signs in again and the archive catch-up adds nothing
// twice.
func TestOtherDevice(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			testOtherDevice(t, testserver.Shared(t, k, testserver.Options{Archive: true}))
		})
	}
}

func received(u *coretest.User, body string, dir history.Direction) func(core.Event) bool {
	return func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Account == u.JID && m.Message.Body == body && m.Message.Direction == dir
	}
}

func testOtherDevice(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, carbons.Feature, mam.Feature), coretest.NewUser(t, srv)
	a.Connect(t)
	if !carbons.Of(a.Session).On() {
		t.Fatal("carbons are not on once A is online")
	}
	b.Connect(t)
	phone := slixpeer.Start(t, srv, a.JID, a.Password, slixpeer.Options{Resource: "phone", Carbons: true})

	// B writes to the phone: A gets a copy, from B, as received.
	bc := b.Conn(t)
	if err := bc.SendRaw([]byte(fmt.Sprintf(`<message to='%s' type='chat' id='b1'><body>to the phone</body><request xmlns='urn:xmpp:receipts'/></message>`, phone.JID))); err != nil {
		t.Fatal(err)
	}
	in := a.Events.Wait(t, "the copy of B's message", received(a, "to the phone", history.In)).(core.MessageReceived)
	if in.Message.StanzaID == "" {
		// Both servers put our archive's id in the copy: the
		// catch-up recognises it by that.
		t.Errorf("the received copy has no stanza-id from our archive")
	}
	if !in.Copy || in.Message.Peer != b.JID || in.Message.State != history.StateReceived {
		t.Errorf("received copy: %+v", in)
	}

	// The phone writes to B: A gets a copy, as ours.
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.JID, Body: "from the phone", ID: "p1"})
	out := a.Events.Wait(t, "the copy of the phone's message", received(a, "from the phone", history.Out)).(core.MessageReceived)
	if !out.Copy || out.Message.Peer != b.JID || out.Message.Resource != "phone" || out.Message.State != history.StateAcked {
		t.Errorf("sent copy: %+v", out.Message)
	}
	// ...and corrects it.
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.JID, Body: "from the phone, corrected", Replace: "p1"})
	fixed := a.Events.Wait(t, "the phone's correction", func(e core.Event) bool {
		c, ok := e.(core.MessageCorrected)
		return ok && c.Message.ID == out.Message.ID
	}).(core.MessageCorrected)
	if fixed.Message.Body != "from the phone, corrected" {
		t.Errorf("corrected: %q", fixed.Message.Body)
	}

	// A private message is not copied; the next one is.
	mark := a.Events.Mark()
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.JID, Body: "private", Private: true})
	phone.Do(t, slixpeer.Command{Cmd: "send", To: b.JID, Body: "after private"})
	a.Events.WaitFrom(t, mark, "the message after the private one", received(a, "after private", history.Out))

	// A stranger forges a copy of a message from C: ignored.
	mark = a.Events.Mark()
	forged := fmt.Sprintf(`<message to='%s' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>`+
		`<message xmlns='jabber:client' from='carol@%s/x' to='%s' type='chat'><body>forged</body></message></forwarded></received></message>`,
		a.Conn(t).JID(), srv.Domain, a.JID)
	if err := bc.SendRaw([]byte(forged)); err != nil {
		t.Fatal(err)
	}
	if err := bc.SendRaw([]byte(fmt.Sprintf(`<message to='%s' type='chat'><body>after the forgery</body></message>`, a.Conn(t).JID()))); err != nil {
		t.Fatal(err)
	}
	a.Events.WaitFrom(t, mark, "B's message after the forgery", received(a, "after the forgery", history.In))
	for _, e := range a.Events.Since(mark) {
		if m, ok := e.(core.MessageReceived); ok && (m.Message.Body == "forged" || m.Message.Body == "private") {
			t.Errorf("stored: %+v", m.Message)
		}
	}

	// What A sends reaches the phone as a copy (slixmpp reads it).
	mine, err := a.Session.SendMessage(b.JID, core.TypeChat, "", "from the desktop")
	if err != nil {
		t.Fatal(err)
	}
	cp := phone.WaitFor(t, "the copy of A's message", func(e slixpeer.Event) bool {
		return e.Event == "carbon" && e.Body == "from the desktop"
	})
	if cp.Direction != "sent" || cp.WrapperFrom != a.JID || cp.OriginID != mine.OriginID || !strings.HasPrefix(cp.To, b.JID) {
		t.Errorf("the phone's copy: %+v", cp)
	}

	// A signs in again: the archive holds all of it, the catch-up
	// stores only the private message, which no copy brought.
	a.Disconnect(t)
	mark = a.Events.Mark()
	a.Connect(t)
	d := a.Events.WaitFrom(t, mark, "catch-up", func(e core.Event) bool { _, ok := e.(mam.CatchUpDone); return ok }).(mam.CatchUpDone)
	if d.Err != nil {
		t.Fatalf("catch-up: %+v", d)
	}
	ms, err := a.Client.Store().Latest(a.JID, b.JID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		dir := "in"
		if m.Direction == history.Out {
			dir = "out"
		}
		got = append(got, dir+":"+m.Body)
	}
	want := map[string]int{"in:to the phone": 1, "out:from the phone, corrected": 1, "out:private": 1, "out:after private": 1,
		"in:after the forgery": 1, "out:from the desktop": 1}
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%q stored %d times, want %d; history: %q", k, count[k], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("history: %q", got)
	}
	t.Logf("%s: catch-up after the copies: %d new (%d pages)", srv.Kind, d.Stored, d.Pages)
}

// TestDisplayedMarkers, on both servers (XEP-0333): what A sends asks for
// a displayed marker; B's marker shows A's message as read; the marker
// A's phone sends B for B's first message (copied to A) counts the
// conversation read up to it here, the second message still unread.
func TestDisplayedMarkers(t *testing.T) {
	for _, k := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Shared(t, k, testserver.Options{})
			a := coretest.NewUser(t, srv, carbons.Feature)
			a.Connect(t)
			phone := slixpeer.Start(t, srv, a.JID, a.Password, slixpeer.Options{Resource: "phone"})
			bJID, bPass := srv.NewUser(t)
			got := make(chan *stanza.Message, 10)
			shown := make(chan string, 10)
			mux := &xmpp.Mux{}
			mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) {
				if m.Body != "" {
					got <- m
				}
				if id, ok := markers.Displayed(m); ok {
					shown <- id
				}
			})
			b := xmpptest.DialAs(t, srv, bJID, bPass, "b", mux)
			if err := b.Send(&stanza.Presence{XMLName: xml.Name{Local: "presence"}}); err != nil {
				t.Fatal(err)
			}

			mine, err := a.Session.SendMessage(bJID, core.TypeChat, "", "are you there?")
			if err != nil {
				t.Fatal(err)
			}
			var m *stanza.Message
			select {
			case m = <-got:
			case <-time.After(20 * time.Second):
				t.Fatal("B got nothing")
			}
			if !markers.IsMarkable(m) || m.Id != mine.OriginID {
				t.Fatalf("A's message: markable %v, id %q (origin-id %q)", markers.IsMarkable(m), m.Id, mine.OriginID)
			}
			d := markers.NewDisplayed(a.JID, m.Id)
			if err := b.Send(&d); err != nil {
				t.Fatal(err)
			}
			a.Events.Wait(t, "A's message read", func(e core.Event) bool {
				s, ok := e.(core.MessageStateChanged)
				return ok && s.ID == mine.ID && s.State == history.StateRead
			})

			for _, id := range []string{"b1", "b2"} {
				if err := b.SendRaw([]byte(fmt.Sprintf(`<message to='%s' type='chat' id='%s'><body>%s</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>`, a.JID, id, id))); err != nil {
					t.Fatal(err)
				}
			}
			a.Events.Wait(t, "B's messages", received(a, "b2", history.In))
			mark := a.Events.Mark()
			phone.Do(t, slixpeer.Command{Cmd: "raw", XML: fmt.Sprintf(`<message to='%s' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='b1'/></message>`, bJID)})
			a.Events.WaitFrom(t, mark, "read on the phone", func(e core.Event) bool {
				r, ok := e.(core.ReadElsewhere)
				return ok && r.Peer == bJID
			})
			if n, err := a.Session.Unread(); err != nil || n[bJID] != 1 {
				t.Errorf("unread after the phone's marker: %v, %v", n, err)
			}

			select { // B got the phone's marker itself
			case id := <-shown:
				if id != "b1" {
					t.Fatalf("B got a marker for %q from the phone", id)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("B did not get the phone's marker")
			}

			// A reads B's messages: B, a stranger, is not told; once B
			// may see A's presence, it is, for its newest message.
			if err := a.Session.MarkRead(bJID); err != nil {
				t.Fatal(err)
			}
			select {
			case id := <-shown:
				t.Fatalf("a stranger told %q was read", id)
			case <-time.After(time.Second):
			}
			if err := b.SendRaw([]byte(fmt.Sprintf(`<presence to='%s' type='subscribe'/>`, a.JID))); err != nil {
				t.Fatal(err)
			}
			a.Events.Wait(t, "B's request", func(e core.Event) bool { _, ok := e.(core.SubscriptionRequested); return ok })
			if err := a.Session.ApproveSubscription(t.Context(), bJID, core.ApproveOptions{}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for c, _ := a.Session.Roster().Contact(bJID); !c.SeesUs(); c, _ = a.Session.Roster().Contact(bJID) {
				if time.Now().After(deadline) {
					t.Fatal("B never sees A's presence")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := a.Session.MarkRead(bJID); err != nil {
				t.Fatal(err)
			}
			select {
			case id := <-shown:
				if id != "b2" {
					t.Errorf("B told %q was read, want b2", id)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("B was not told its message was read")
			}
		})
	}
}
