package chatstate

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

type peer struct {
	c   *xmpp.Conn
	got chan *stanza.Message
}

func dialPeer(t *testing.T, s *testserver.Server, jid, pass string) *peer {
	t.Helper()
	p := &peer{got: make(chan *stanza.Message, 16)}
	mux := &xmpp.Mux{}
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) { p.got <- m })
	c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
		Handler: mux, TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SendRaw([]byte("<presence/>")); err != nil {
		t.Fatal(err)
	}
	p.c = c
	return p
}

func (p *peer) send(t *testing.T, m stanza.Message) {
	t.Helper()
	if err := p.c.Send(m); err != nil {
		t.Fatal(err)
	}
}

func (p *peer) next(t *testing.T) *stanza.Message {
	t.Helper()
	select {
	case m := <-p.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
	return nil
}

// Two clients on Prosody: A discovers B's support implicitly (§5.1), then
// types, pauses and sends; B gets composing, paused, then active with the
// body, in that order, through our own stanza decoder. Then B, as a peer
// that asks for XEP-0022 composing events, sees A's legacy answers.
func TestChatStatesBetweenClients(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	aj, ap := s.NewUser(t)
	bj, bp := s.NewUser(t)
	a := dialPeer(t, s, aj, ap)
	b := dialPeer(t, s, bj, bp)

	var ta, tb Tracker
	now := time.Now()

	// A's first content message carries <active/> although support is unknown.
	o, ok := ta.Do(Sent, now)
	if !ok || !o.InContent {
		t.Fatalf("first message: %+v %v", o, ok)
	}
	m := stanza.NewMessage(stanza.Attrs{To: b.c.JID(), Type: stanza.MessageTypeChat, Id: "a1"})
	m.Body = "Who's there?"
	Add(&m, o.State)
	a.send(t, m)
	in := b.next(t)
	tb.Received(*in)
	if n, ok := NotificationOf(*in); !ok || n.State != Active || in.Body != "Who's there?" {
		t.Fatalf("B got %+v (%+v %v)", in, n, ok)
	}
	if !tb.Supported() {
		t.Fatal("B did not learn A supports chat states")
	}
	// B replies the same way; now A knows.
	o, _ = tb.Do(Sent, now)
	r := stanza.NewMessage(stanza.Attrs{To: in.From, Type: stanza.MessageTypeChat, Id: "b1"})
	r.Body = "Nay, answer me"
	Add(&r, o.State)
	b.send(t, r)
	ta.Received(*a.next(t))
	if !ta.Supported() {
		t.Fatal("A did not learn B supports chat states")
	}

	// A types (twice: one notification), the clock passes PausedAfter, A sends.
	var sent []State
	for _, step := range []func() (Outgoing, bool){
		func() (Outgoing, bool) { return ta.Do(Typed, now) },
		func() (Outgoing, bool) { return ta.Do(Typed, now.Add(time.Second)) },
		func() (Outgoing, bool) { return ta.Tick(now.Add(time.Second + PausedAfter)) },
	} {
		if o, ok := step(); ok {
			a.send(t, o.Message(b.c.JID()))
			sent = append(sent, o.State)
		}
	}
	o, ok = ta.Do(Sent, now.Add(10*time.Second))
	if !ok {
		t.Fatal("no active for the content message")
	}
	m = stanza.NewMessage(stanza.Attrs{To: b.c.JID(), Type: stanza.MessageTypeChat, Id: "a2"})
	m.Body = "Long live the king!"
	Add(&m, o.State)
	a.send(t, m)
	want := []State{Composing, Paused, Active}
	if len(sent) != 2 {
		t.Fatalf("A sent %v", sent)
	}
	for i, w := range want {
		in := b.next(t)
		n, ok := NotificationOf(*in)
		if !ok || n.State != w || n.Legacy {
			t.Fatalf("notification %d: %+v %v in %+v", i, n, ok, in)
		}
		if (in.Body != "") != (w == Active) || in.From != a.c.JID() {
			t.Fatalf("notification %d: body %q from %q", i, in.Body, in.From)
		}
	}

	// XEP-0022: B asks for composing events on its message; A (a fresh
	// conversation, not knowing XEP-0085 support) raises and cancels them.
	var ta2 Tracker
	q := stanza.NewMessage(stanza.Attrs{To: a.c.JID(), Id: "message22"})
	q.Body = "Art thou not Romeo, and a Montague?"
	RequestLegacyComposing(&q)
	b.send(t, q)
	in = a.next(t)
	if ev, ok := LegacyOf(*in); !ok || !ev.WantsComposing() || ev.ID != "message22" {
		t.Fatalf("request: %+v %v", ev, ok)
	}
	ta2.Received(*in)
	for _, act := range []Action{Typed, Typed, Cleared} {
		if o, ok := ta2.Do(act, now); ok {
			a.send(t, o.Message(in.From))
		}
	}
	for i, w := range []LegacyKind{EventComposing, EventCancel} {
		got := b.next(t)
		ev, ok := LegacyOf(*got)
		if !ok || ev.Kind != w || ev.ID != "message22" || got.Body != "" {
			t.Fatalf("legacy event %d: %+v %v", i, ev, ok)
		}
		n, _ := NotificationOf(*got)
		if !n.Legacy || n.State != []State{Composing, Paused}[i] {
			t.Fatalf("legacy notification %d: %+v", i, n)
		}
	}
	select {
	case extra := <-b.got:
		t.Fatalf("unexpected %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
}
