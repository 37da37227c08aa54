package receipts

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// XEP-0184 §7, Example 3: a content message with receipt requested.
const ex3 = `<message
    from='northumberland@shakespeare.lit/westminster'
    id='richard2-4.1.247'
    to='kingrichard@royalty.england.lit/throne'>
  <body>My lord, dispatch; read o'er these articles.</body>
  <request xmlns='urn:xmpp:receipts'/>
</message>`

// XEP-0184 §7, Example 4: a message delivery receipt.
const ex4 = `<message
    from='kingrichard@royalty.england.lit/throne'
    id='bi29sg183b4v'
    to='northumberland@shakespeare.lit/westminster'>
  <received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/>
</message>`

func decode(t testing.TB, s string) stanza.Message {
	t.Helper()
	var m stanza.Message
	if err := xml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	return m
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGolden(t *testing.T) {
	m := decode(t, ex3)
	if !Requested(m) || m.Body == "" {
		t.Fatalf("example 3: %+v", m)
	}
	if _, ok := Received(m); ok {
		t.Fatal("example 3 read as an ack")
	}
	r := decode(t, ex4)
	if id, ok := Received(r); !ok || id != "richard2-4.1.247" {
		t.Fatalf("example 4: %q %v", id, ok)
	}
	if Requested(r) {
		t.Fatal("example 4 requests a receipt")
	}
	if _, ok := Answer(r); ok {
		t.Fatal("answered an ack")
	}

	// Our answer to example 3 is example 4, but for its own fresh id.
	a, ok := Answer(m)
	if !ok {
		t.Fatal("example 3 not answered")
	}
	if a.To != "northumberland@shakespeare.lit/westminster" || a.Id == "" || a.Id == m.Id || a.Type != "" || a.Body != "" {
		t.Fatalf("ack %+v", a)
	}
	got := marshal(t, a)
	want := `<message id="` + a.Id + `" to="northumberland@shakespeare.lit/westminster"><received xmlns="urn:xmpp:receipts" id="richard2-4.1.247"></received></message>`
	if got != want {
		t.Fatalf("ack:\n got %s\nwant %s", got, want)
	}
	back, ex := decode(t, got), decode(t, ex4)
	if id, _ := Received(back); id != "richard2-4.1.247" || back.To != ex.To || len(back.Extensions) != len(ex.Extensions) {
		t.Fatalf("round trip %+v", back)
	}
}

func TestRequest(t *testing.T) {
	m := stanza.NewMessage(stanza.Attrs{To: "kingrichard@royalty.england.lit/throne", Id: "richard2-4.1.247"})
	m.Body = "My lord, dispatch; read o'er these articles."
	Request(&m)
	Request(&m) // once only
	got := marshal(t, m)
	if strings.Count(got, NS) != 1 || !strings.Contains(got, `<request xmlns="urn:xmpp:receipts"></request>`) {
		t.Fatalf("%s", got)
	}
	back, ex := decode(t, got), decode(t, ex3)
	if !Requested(back) || back.Id != ex.Id || back.Body != ex.Body {
		t.Fatalf("round trip %+v", back)
	}

	// A request needs an id: one is made up.
	n := stanza.NewMessage(stanza.Attrs{To: "a@b"})
	Request(&n)
	if n.Id == "" || !Requested(n) {
		t.Fatalf("%+v", n)
	}
	// Never in an ack (loops) nor in an error.
	a := Ack("a@b/c", "x")
	Request(&a)
	e := stanza.NewMessage(stanza.Attrs{Type: stanza.MessageTypeError})
	Request(&e)
	if Requested(a) || Requested(e) {
		t.Fatal("request added to an ack or an error")
	}
}

func TestAnswerRules(t *testing.T) {
	with := func(edit func(*stanza.Message)) stanza.Message {
		m := decode(t, ex3)
		edit(&m)
		return m
	}
	for typ, want := range map[stanza.StanzaType]bool{
		"": true, stanza.MessageTypeChat: true, stanza.MessageTypeNormal: true, stanza.MessageTypeHeadline: true,
		stanza.MessageTypeGroupchat: false, stanza.MessageTypeError: false,
	} {
		m := with(func(m *stanza.Message) { m.Type = typ })
		a, ok := Answer(m)
		if ok != want {
			t.Errorf("type %q: answered %v", typ, ok)
		}
		if ok && a.Type != typ {
			t.Errorf("type %q: ack of type %q", typ, a.Type)
		}
	}
	for name, m := range map[string]stanza.Message{
		"no id":      with(func(m *stanza.Message) { m.Id = "" }),
		"no from":    with(func(m *stanza.Message) { m.From = "" }),
		"no request": decode(t, `<message from='a@b/c' id='x' type='chat'><body>hi</body></message>`),
		"ack with a request": decode(t, `<message from='a@b/c' id='y' type='chat'>`+
			`<received xmlns='urn:xmpp:receipts' id='x'/><request xmlns='urn:xmpp:receipts'/></message>`),
	} {
		if a, ok := Answer(m); ok {
			t.Errorf("%s: answered %+v", name, a)
		}
	}
}

func TestReceivedVariants(t *testing.T) {
	// Before XEP-0184 1.1 the ack carried the content message's id itself.
	old := decode(t, `<message from='a@b/c' id='richard2-4.1.247'><received xmlns='urn:xmpp:receipts'/></message>`)
	if id, ok := Received(old); !ok || id != "richard2-4.1.247" {
		t.Fatalf("old ack: %q %v", id, ok)
	}
	if _, ok := Received(decode(t, `<message from='a@b/c'><received xmlns='urn:xmpp:receipts'/></message>`)); ok {
		t.Fatal("ack without any id")
	}
	if _, ok := Received(decode(t, `<message type='error' from='a@b/c'><received xmlns='urn:xmpp:receipts' id='x'/></message>`)); ok {
		t.Fatal("error read as an ack")
	}
	// gosrc's own types, in messages someone built with them.
	m := stanza.NewMessage(stanza.Attrs{})
	m.Extensions = append(m.Extensions, stanza.ReceiptRequest{}, &stanza.ReceiptReceived{ID: "z"})
	if !Requested(m) {
		t.Fatal("gosrc request")
	}
	if id, ok := Received(m); !ok || id != "z" {
		t.Fatalf("gosrc received %q %v", id, ok)
	}
}

// Two clients on Prosody: A asks for a receipt, B answers with Answer, A
// matches the ack to its message; both to B's full JID and to B's bare JID
// (the ack comes back from the resource that got it, to A's full JID).
func TestReceiptRoundTrip(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	type peer struct {
		c   *xmpp.Conn
		got chan *stanza.Message
	}
	dial := func(jid, pass string) peer {
		p := peer{got: make(chan *stanza.Message, 8)}
		mux := &xmpp.Mux{}
		mux.HandleMessageFunc(func(c *xmpp.Conn, m *stanza.Message) {
			if a, ok := Answer(*m); ok {
				c.Send(a) // B's client: answer on first reception
			}
			p.got <- m
		})
		c, err := xmpp.Dial(context.Background(), xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
			Handler: mux, TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SendRaw([]byte("<presence/>"))
		p.c = c
		return p
	}
	next := func(p peer) *stanza.Message {
		t.Helper()
		select {
		case m := <-p.got:
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message")
		}
		return nil
	}
	aj, ap := s.NewUser(t)
	bj, bp := s.NewUser(t)
	a, b := dial(aj, ap), dial(bj, bp)
	if err := b.c.Ping(context.Background(), ""); err != nil { // B's presence is processed
		t.Fatal(err)
	}

	for _, to := range []string{b.c.JID(), bj} {
		m := stanza.NewMessage(stanza.Attrs{To: to, Type: stanza.MessageTypeChat})
		m.Body = "My lord, dispatch; read o'er these articles."
		Request(&m)
		if err := a.c.Send(m); err != nil {
			t.Fatal(err)
		}
		in := next(b)
		if !Requested(*in) || in.Id != m.Id || in.From != a.c.JID() {
			t.Fatalf("to %s: B got %+v", to, in)
		}
		ack := next(a)
		id, ok := Received(*ack)
		if !ok || id != m.Id {
			t.Fatalf("to %s: ack %+v", to, ack)
		}
		if ack.From != b.c.JID() || ack.Type != stanza.MessageTypeChat || ack.Id == "" || ack.Id == m.Id || Requested(*ack) {
			t.Fatalf("to %s: ack from %q type %q id %q", to, ack.From, ack.Type, ack.Id)
		}
	}
	// A's handler got an ack, not a request: it sent nothing back.
	select {
	case extra := <-b.got:
		t.Fatalf("unexpected %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
}
