package blocking

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0191 examples (§3.1–3.5).
const (
	exDisco = `<iq from='capulet.com' to='juliet@capulet.com/chamber' type='result' id='disco1'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <feature var='urn:xmpp:blocking'/>
  </query>
</iq>`
	exListGet = `<iq type='get' id='blocklist1'>
  <blocklist xmlns='urn:xmpp:blocking'/>
</iq>`
	exList = `<iq type='result' id='blocklist1'>
  <blocklist xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
    <item jid='iago@shakespeare.lit'/>
  </blocklist>
</iq>`
	exListEmpty = `<iq type='result' id='blocklist1'>
  <blocklist xmlns='urn:xmpp:blocking'/>
</iq>`
	exBlock = `<iq from='juliet@capulet.com/chamber' type='set' id='block1'>
  <block xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
  </block>
</iq>`
	exBlockPush = `<iq to='juliet@capulet.com/chamber' type='set' id='push1'>
  <block xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
  </block>
</iq>`
	exUnblock = `<iq type='set' id='unblock1'>
  <unblock xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
  </unblock>
</iq>`
	exUnblockPush = `<iq to='juliet@capulet.com/balcony' type='set' id='push4'>
  <unblock xmlns='urn:xmpp:blocking'>
    <item jid='romeo@montague.net'/>
  </unblock>
</iq>`
	exUnblockAll = `<iq type='set' id='unblock2'>
  <unblock xmlns='urn:xmpp:blocking'/>
</iq>`
	exUnblockAllPush = `<iq to='juliet@capulet.com/chamber' type='set' id='push5'>
  <unblock xmlns='urn:xmpp:blocking'/>
</iq>`
)

const self = "juliet@capulet.com/chamber"

func decode(t testing.TB, s string) *stanza.IQ {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatal(err)
	}
	return &iq
}

func command(t testing.TB, s string) *Command {
	t.Helper()
	iq := decode(t, s)
	c, ok := iq.Payload.(*Command)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	return c
}

func TestGolden(t *testing.T) {
	if !Supported(decode(t, exDisco).Payload.(*disco.Info)) || Supported(&disco.Info{}) {
		t.Fatal("Supported")
	}
	if c := command(t, exListGet); c.Kind != KindList || len(c.JIDs) != 0 {
		t.Fatalf("list get %+v", c)
	}
	if c := command(t, exList); !reflect.DeepEqual(c.JIDs, []string{"romeo@montague.net", "iago@shakespeare.lit"}) {
		t.Fatalf("list %+v", c)
	}
	if c := command(t, exListEmpty); c.Kind != KindList || len(c.JIDs) != 0 {
		t.Fatalf("empty list %+v", c)
	}
	if c := command(t, exBlock); c.Kind != KindBlock || !reflect.DeepEqual(c.JIDs, []string{"romeo@montague.net"}) {
		t.Fatalf("block %+v", c)
	}
	if n := xmpp.PayloadName(decode(t, exUnblock)); n != (xml.Name{Space: NS, Local: KindUnblock}) {
		t.Fatalf("PayloadName %v", n)
	}

	// Pushes (the examples have no 'from': from our server).
	cases := []struct {
		ex   string
		want Push
		all  bool
	}{
		{exBlockPush, Push{Block: true, JIDs: []string{"romeo@montague.net"}}, false},
		{exUnblockPush, Push{JIDs: []string{"romeo@montague.net"}}, false},
		{exUnblockAllPush, Push{}, true},
	}
	for _, c := range cases {
		p, ok := parsePush(self, decode(t, c.ex))
		if !ok || p.Block != c.want.Block || !reflect.DeepEqual(p.JIDs, c.want.JIDs) || p.All() != c.all {
			t.Errorf("%s: %+v %v", c.ex, p, ok)
		}
	}
}

func TestMarshalMatchesExamples(t *testing.T) {
	cases := []struct {
		iq *stanza.IQ
		id string
		ex string
	}{
		{Request(KindList), "blocklist1", exListGet},
		{Request(KindBlock, "romeo@montague.net"), "block1", exBlock},
		{Request(KindUnblock, "romeo@montague.net"), "unblock1", exUnblock},
		{Request(KindUnblock), "unblock2", exUnblockAll},
	}
	for _, c := range cases {
		c.iq.Id = c.id
		b, err := xml.Marshal(c.iq)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := xmpptest.Canon(string(b), "from", "to"), xmpptest.Canon(c.ex, "from", "to"); got != want {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
	// A decoded result re-marshals to the same list.
	b, _ := xml.Marshal(command(t, exList))
	var back Command
	if xml.Unmarshal(b, &back) != nil || back.Kind != KindList || len(back.JIDs) != 2 {
		t.Fatalf("round trip %s", b)
	}
}

func TestPushFromOthersRejected(t *testing.T) {
	for _, from := range []string{"", "juliet@capulet.com", "JULIET@capulet.com", "capulet.com"} {
		iq := decode(t, exUnblockAllPush)
		iq.From = from
		if _, ok := parsePush(self, iq); !ok {
			t.Errorf("push from %q rejected", from)
		}
	}
	for _, from := range []string{"romeo@montague.net", "juliet@capulet.com/balcony", "capulet.com/x", "evil.com"} {
		iq := decode(t, exUnblockAllPush)
		iq.From = from
		if _, ok := parsePush(self, iq); ok {
			t.Errorf("push from %q accepted", from)
		}
	}
	// A get, a result, an empty block and a blocklist are not pushes.
	for _, s := range []string{exListGet, exList,
		`<iq type='set' id='x'><block xmlns='urn:xmpp:blocking'/></iq>`,
		`<iq type='set' id='x'><blocklist xmlns='urn:xmpp:blocking'/></iq>`} {
		if _, ok := parsePush(self, decode(t, s)); ok {
			t.Errorf("accepted %s", s)
		}
	}
}

func TestApply(t *testing.T) {
	l := []string{"a@x", "b@x"}
	if got := Apply(l, Push{Block: true, JIDs: []string{"c@x", "a@x", "c@x"}}); !reflect.DeepEqual(got, []string{"a@x", "b@x", "c@x"}) {
		t.Errorf("block: %v", got)
	}
	if got := Apply(l, Push{JIDs: []string{"a@x", "z@x"}}); !reflect.DeepEqual(got, []string{"b@x"}) {
		t.Errorf("unblock: %v", got)
	}
	if got := Apply(l, Push{}); got == nil || len(got) != 0 {
		t.Errorf("unblock all: %v", got)
	}
	if !reflect.DeepEqual(l, []string{"a@x", "b@x"}) {
		t.Errorf("input modified: %v", l)
	}
}

func FuzzCommand(f *testing.F) {
	for _, s := range []string{exList, exBlock, exUnblockAllPush} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		parsePush(self, &iq)
		if c, ok := iq.Payload.(*Command); ok {
			if _, err := xml.Marshal(c); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// ---- Integration ----

type client struct {
	*xmpp.Conn
	pushes   chan Push
	messages chan *stanza.Message
}

func dial(t *testing.T, s *testserver.Server, jid, pass, resource string) *client {
	t.Helper()
	cl := &client{pushes: make(chan Push, 16), messages: make(chan *stanza.Message, 16)}
	mux := &xmpp.Mux{}
	Register(mux, func(_ *xmpp.Conn, p Push) { cl.pushes <- p })
	mux.HandleMessageFunc(func(_ *xmpp.Conn, m *stanza.Message) {
		if m.Body != "" || m.Type == stanza.MessageTypeError {
			cl.messages <- m
		}
	})
	c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Resource: resource, Host: s.Host, Port: s.Port,
		TLSConfig: &tls.Config{RootCAs: s.CertPool}, Handler: mux, ConnectTimeout: 20 * time.Second, IQTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl.Conn = c
	return cl
}

func bare(j string) string { return strings.SplitN(j, "/", 2)[0] }

func nextPush(t *testing.T, c *client) Push {
	t.Helper()
	select {
	case p := <-c.pushes:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no push within 10 s")
	}
	return Push{}
}

func nextMessage(t *testing.T, c *client) *stanza.Message {
	t.Helper()
	select {
	case m := <-c.messages:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10 s")
	}
	return nil
}

func chat(to, body string) stanza.Message {
	return stanza.Message{XMLName: xml.Name{Local: "message"}, Attrs: stanza.Attrs{To: to, Type: stanza.MessageTypeChat}, Body: body}
}

func TestBlockUnblock(t *testing.T) {
	ctx := context.Background()
	for name, kind := range map[string]testserver.Kind{"prosody": testserver.Prosody, "ejabberd": testserver.Ejabberd} {
		t.Run(name, func(t *testing.T) {
			s := testserver.Shared(t, kind, testserver.Options{})
			jid, pass := s.NewUser(t)
			a1 := dial(t, s, jid, pass, "one")
			a2 := dial(t, s, jid, pass, "two")
			bj, bp := s.NewUser(t)
			b := dial(t, s, bj, bp, "")

			info, err := disco.GetInfo(ctx, a1.Conn, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if !Supported(info) {
				t.Fatalf("%s does not advertise %s", name, NS)
			}
			for _, c := range []*client{a1, a2} {
				if l, err := List(ctx, c.Conn); err != nil || len(l) != 0 {
					t.Fatalf("initial list %v, %v", l, err)
				}
			}
			if err := Block(ctx, a1.Conn); !errors.Is(err, ErrNoJIDs) {
				t.Fatalf("empty block: %v", err)
			}

			// Baseline: delivery works.
			b.Send(chat(a1.JID(), "hello"))
			if m := nextMessage(t, a1); m.Body != "hello" {
				t.Fatalf("baseline %+v", m)
			}

			if err := Block(ctx, a1.Conn, bare(b.JID())); err != nil {
				t.Fatal(err)
			}
			if p := nextPush(t, a2); !p.Block || !reflect.DeepEqual(p.JIDs, []string{bare(b.JID())}) {
				t.Fatalf("push on the other resource: %+v", p)
			}
			if l, err := List(ctx, a1.Conn); err != nil || !reflect.DeepEqual(l, []string{bare(b.JID())}) {
				t.Fatalf("list after block: %v, %v", l, err)
			}

			// B's message is not delivered. Barrier: B's ping to A comes back
			// (as an error) only after the server handled the message; then
			// A's own ping round trip flushes anything routed to A before.
			b.Send(chat(a1.JID(), "blocked?"))
			err = b.Ping(ctx, a1.JID())
			var se *xmpp.StanzaError
			if !errors.As(err, &se) {
				t.Fatalf("B's ping to a blocking A: %v, want an error", err)
			}
			t.Logf("%s: B's ping to A while blocked: %v", name, err)
			if err := a1.Ping(ctx, ""); err != nil {
				t.Fatal(err)
			}
			select {
			case m := <-a1.messages:
				t.Fatalf("A received %+v from a blocked contact", m)
			default:
			}
			select {
			case m := <-b.messages:
				t.Logf("%s: B got back: type=%s error=%+v", name, m.Type, m.Error)
			default:
				t.Logf("%s: B got no error for its message", name)
			}
			// A may not send to B either.
			a1.Send(chat(b.JID(), "to blocked"))
			if m := nextMessage(t, a1); m.Type != stanza.MessageTypeError {
				t.Fatalf("A's message to blocked B: %+v", m)
			} else {
				t.Logf("%s: A's message to blocked B bounced: %+v", name, m.Error)
			}

			if err := Unblock(ctx, a1.Conn, bare(b.JID())); err != nil {
				t.Fatal(err)
			}
			if p := nextPush(t, a2); p.Block || p.All() || !reflect.DeepEqual(p.JIDs, []string{bare(b.JID())}) {
				t.Fatalf("unblock push: %+v", p)
			}
			b.Send(chat(a1.JID(), "again"))
			if m := nextMessage(t, a1); m.Body != "again" {
				t.Fatalf("after unblock %+v", m)
			}

			// Block two, then unblock all.
			if err := Block(ctx, a1.Conn, bare(b.JID()), "spam.example"); err != nil {
				t.Fatal(err)
			}
			list := []string{}
			list = Apply(list, nextPush(t, a2))
			if len(list) != 2 {
				t.Fatalf("list from pushes %v", list)
			}
			if err := Unblock(ctx, a1.Conn); err != nil {
				t.Fatal(err)
			}
			p := nextPush(t, a2)
			if !p.All() {
				t.Fatalf("unblock-all push %+v", p)
			}
			if list = Apply(list, p); len(list) != 0 {
				t.Fatalf("after unblock all %v", list)
			}
			if l, err := List(ctx, a2.Conn); err != nil || len(l) != 0 {
				t.Fatalf("list after unblock all: %v, %v", l, err)
			}
			// a1 fetched the list too, so it gets every push as well.
			for i := 0; i < 4; i++ {
				nextPush(t, a1)
			}
		})
	}
}
